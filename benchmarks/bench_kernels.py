"""matmul: purenn's kernels against every pure-Python formulation we know, per size.

Run: ``python3 benchmarks/bench_kernels.py [--repeats N] [--quick] [--json FILE]``, under each
interpreter you care about: the fastest formulation differs by interpreter and by size.  Every
variant multiplies the same A (n × k) by the same B (k × m), transposing B itself, interleaved
with the others; the report gives MFLOP/s (2·n·k·m floating-point operations per product) and
the ratio to the fastest variant of purenn's reference ``kernels.matmul`` (what runs by
default) and of its generated kernels (what ``compile=True`` runs, ``purenn.compiled``).
"""

import random
from typing import Callable, Dict, List, Tuple

from common import arguments, bench, has, header, save

from purenn import kernels
from purenn.compiled import kernels as compiled

Matrix = List[List[float]]

SIZES = [(4, 4, 4), (16, 16, 16), (64, 64, 64), (256, 256, 256), (32, 784, 128)]
QUICK_SIZES = [(4, 4, 4), (16, 16, 16), (64, 64, 64)]
LARGEST_GENERATED = 4096  # k·m terms: the code unrolled over the columns too gets too long


def formulation(name: str) -> Callable[[Matrix, Matrix], Matrix]:
    """Transpose B, then purenn.compiled's formulation ``name`` (index loops, sum(map(mul)),
    math.sumprod), called directly."""
    def product(a: Matrix, b: Matrix) -> Matrix:
        columns = list(zip(*b))
        return compiled.FORMULATIONS[name].kernels(len(b), len(b[0]))[0](a, columns)

    return product


def generated(k: int, m: int = 0) -> Callable[[Matrix, Matrix], Matrix]:
    """Code written out for rows of k numbers (and m columns, if m), compiled once:
    purenn.compiled.kernels.unrolled_source's code, called directly."""
    namespace: Dict[str, Callable[..., Matrix]] = {}
    exec(compile(compiled.unrolled_source(k, m or None), "<bench>", "exec"), {}, namespace)
    products = namespace["products"]
    return lambda a, b: products(a, list(zip(*b)))


def compiled_matmul(a: Matrix, b: Matrix) -> Matrix:
    """kernels.matmul with the generated kernels of compile=True in place (as
    compiled.installed() puts them for a whole fit, without its context manager's cost per
    product)."""
    kernels.generated = compiled.GENERATED
    try:
        return kernels.matmul(a, b)
    finally:
        kernels.generated = None


def variants(a: Matrix, b: Matrix) -> Dict[str, Callable[[], object]]:
    """The formulations that run here, each a call on the same A and B."""
    k, m = len(b), len(b[0])
    cases: Dict[str, Callable[[], object]] = {
        "purenn kernels.matmul": lambda: kernels.matmul(a, b),
        "purenn compile=True": lambda: compiled_matmul(a, b),
    }
    # sum(map(mul)) before CPython 3.12, math.sumprod from 3.12 on.
    labels = {"loops": "index loops", "sum_map": "sum(map(mul))", "sumprod": "math.sumprod"}
    for name, label in labels.items():
        if name in compiled.FORMULATIONS:
            product = formulation(name)
            cases[label] = lambda product=product: product(a, b)  # type: ignore[misc]
    if k <= compiled.LONGEST_UNROLLED:
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
        compiled.formulation_for(k, m)
    )


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=9)
    header("matmul: MFLOP/s per formulation (higher is faster), medians")
    results = []
    for n, k, m in QUICK_SIZES if args.quick else SIZES:
        rates, chosen = measure(n, k, m, 3 if args.quick else args.repeats)
        others = [name for name in rates if not name.startswith("purenn")]
        fastest = max(others, key=lambda name: rates[name])
        ratio = rates["purenn kernels.matmul"] / rates[fastest]
        ratio_compiled = rates["purenn compile=True"] / rates[fastest]
        print(f"\n{n}×{k} · {k}×{m}  (reference {ratio:.2f}× the fastest; compile=True chose "
              f"{chosen!r}, {ratio_compiled:.2f}× the fastest)")
        for name, rate in rates.items():
            print(f"  {name:<24} {rate:9.1f}")
        results.append({"size": f"{n}×{k}·{k}×{m}", "rates": rates, "chosen": chosen,
                        "fastest": fastest, "ratio_to_fastest": ratio,
                        "ratio_compiled_to_fastest": ratio_compiled})
    save(args.json, {"matmul": results, "numpy": has("numpy")})


if __name__ == "__main__":
    main()
