"""matmul: purenn's kernel against every pure-Python formulation we know, per size.

Run: ``python3 benchmarks/bench_kernels.py [--repeats N] [--quick] [--json FILE]``, under each
interpreter you care about: the fastest formulation differs by interpreter and by size.  Every
variant multiplies the same A (n × k) by the same B (k × m), transposing B itself, interleaved
with the others; the report gives MFLOP/s (2·n·k·m floating-point operations per product) and
purenn's ratio to the fastest variant.
"""

import math
import operator
import random
from itertools import repeat
from typing import Callable, Dict, List, Tuple

from common import arguments, bench, has, header, save

from purenn import kernels

Matrix = List[List[float]]

SIZES = [(4, 4, 4), (16, 16, 16), (64, 64, 64), (256, 256, 256), (32, 784, 128)]
QUICK_SIZES = [(4, 4, 4), (16, 16, 16), (64, 64, 64)]
LARGEST_GENERATED = 4096  # k·m terms: the code unrolled over the columns too gets too long


def index_loops(a: Matrix, b: Matrix) -> Matrix:
    """Transpose B, then a running total over an index: the plain loops (PyPy's JIT likes them)."""
    columns = list(zip(*b))
    indices = range(len(b))
    result = []
    for row in a:
        out = []
        for column in columns:
            total = 0.0
            for p in indices:
                total += row[p] * column[p]
            out.append(total)
        result.append(out)
    return result


def sum_map(a: Matrix, b: Matrix) -> Matrix:
    """Transpose B, then sum(map(mul, row, column)): the loop in C."""
    columns = list(zip(*b))
    mul = operator.mul
    return [[sum(map(mul, row, column)) for column in columns] for row in a]


def sumprod(a: Matrix, b: Matrix) -> Matrix:
    """Transpose B, then math.sumprod (CPython 3.12+)."""
    columns = list(zip(*b))
    dot = math.sumprod  # type: ignore[attr-defined]
    return [list(map(dot, repeat(row), columns)) for row in a]


def generated(k: int, m: int = 0) -> Callable[[Matrix, Matrix], Matrix]:
    """Code written out for rows of k numbers (and m columns, if m), compiled once:
    purenn.kernels.unrolled_source's code, called directly."""
    namespace: Dict[str, Callable[..., Matrix]] = {}
    exec(compile(kernels.unrolled_source(k, m or None), "<bench>", "exec"), {}, namespace)
    products = namespace["products"]
    return lambda a, b: products(a, list(zip(*b)))


def variants(a: Matrix, b: Matrix) -> Dict[str, Callable[[], object]]:
    """The formulations that run here, each a call on the same A and B."""
    k, m = len(b), len(b[0])
    cases: Dict[str, Callable[[], object]] = {
        "purenn kernels.matmul": lambda: kernels.matmul(a, b),
        "index loops": lambda: index_loops(a, b),
        "sum(map(mul))": lambda: sum_map(a, b),
    }
    if hasattr(math, "sumprod"):
        cases["math.sumprod"] = lambda: sumprod(a, b)
    if k <= kernels.LONGEST_UNROLLED:
        per_k = generated(k)
        cases["unrolled for k"] = lambda: per_k(a, b)
    if k * m <= LARGEST_GENERATED:
        per_km = generated(k, m)
        cases["unrolled for k and m"] = lambda: per_km(a, b)
    return cases


def measure(n: int, k: int, m: int, repeats: int) -> Tuple[Dict[str, float], str]:
    """MFLOP/s of every variant at n × k · k × m, and the name of purenn's formulation."""
    rng = random.Random(0)
    a = [[rng.random() - 0.5 for _ in range(k)] for _ in range(n)]
    b = [[rng.random() - 0.5 for _ in range(m)] for _ in range(k)]
    flops = 2.0 * n * k * m
    loops = max(1, int(2e6 // flops))
    medians = bench(variants(a, b), repeats, loops, warmup=2)
    return {name: flops / seconds / 1e6 for name, seconds in medians.items()}, (
        kernels.formulation_for(k, m)
    )


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=9)
    header("matmul: MFLOP/s per formulation (higher is faster), medians")
    results = []
    for n, k, m in QUICK_SIZES if args.quick else SIZES:
        rates, chosen = measure(n, k, m, 3 if args.quick else args.repeats)
        fastest = max(rates, key=lambda name: rates[name])
        ratio = rates["purenn kernels.matmul"] / rates[fastest]
        print(f"\n{n}×{k} · {k}×{m}  (purenn chose {chosen!r}; {ratio:.2f}× the fastest)")
        for name, rate in rates.items():
            print(f"  {name:<24} {rate:9.1f}")
        results.append({"size": f"{n}×{k}·{k}×{m}", "rates": rates, "chosen": chosen,
                        "fastest": fastest, "ratio_to_fastest": ratio})
    save(args.json, {"matmul": results, "numpy": has("numpy")})


if __name__ == "__main__":
    main()
