"""Run every benchmark under every interpreter given, and write the table the README shows.

Run: ``python3 benchmarks/run_all.py --python 3.11=/path/to/python3.11 --python pypy=pypy3 …
[--quick] [--out benchmarks/RESULTS.md]``.  Without ``--python`` it uses the interpreter running
it.  Each benchmark runs as its own process per interpreter (so each measures that interpreter
alone); comparisons with NumPy, PyTorch and micrograd need them installed for that interpreter
(``pip install -e ".[bench]"`` in its virtual environment), and are left out where they are not.
The table gives the medians and ratios the scripts measured, the interpreters' versions, the
machine and the date; every speed claim in the README comes from it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["bench_seed", "bench_import", "bench_micrograd", "bench_digits", "bench_kernels",
           "bench_microgpt"]
Results = Dict[str, Dict[str, Any]]  # script → its JSON


def run(python: str, script: str, quick: bool, folder: str) -> Optional[Dict[str, Any]]:
    """One benchmark under one interpreter; its results, or None if it failed."""
    out = os.path.join(folder, f"{script}.json")
    command = [python, os.path.join(HERE, f"{script}.py"), "--json", out]
    if quick:
        command += ["--quick", "--repeats", "3"]
    print(f"$ {' '.join(command)}", flush=True)
    if subprocess.run(command).returncode != 0:
        print(f"!! {script} failed under {python}", flush=True)
        return None
    with open(out, encoding="utf-8") as handle:
        result: Dict[str, Any] = json.load(handle)
    return result


def cell(value: Optional[float], form: str) -> str:
    """A table cell: the value formatted, or — when it was not measured."""
    return "—" if value is None else form.format(value)


def get(results: Results, script: str, *path: str) -> Optional[float]:
    """results[script][path…] or None."""
    value: Any = results.get(script)
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value)


def rows(label: str, results: Results) -> List[Tuple[str, str, str]]:
    """(what, target, measured) for one interpreter."""
    seed = results.get("bench_seed", {})
    table = [
        ("seed workload, compile=True ÷ NumPy, in one process", "< 1.0",
         cell(seed.get("ratio_in_process_compiled"), "{:.2f}×")),
        ("seed workload, compile=True ÷ NumPy, whole processes", "< 0.5",
         cell(seed.get("ratio_process_compiled"), "{:.2f}×")),
        ("seed workload, default (reference) ÷ NumPy, in one process", "",
         cell(seed.get("ratio_in_process"), "{:.2f}×")),
        ("seed workload, default (reference) ÷ NumPy, whole processes", "",
         cell(seed.get("ratio_process"), "{:.2f}×")),
        ("seed workload, default ÷ hand-written list code", "≤ 1.5",
         cell(seed.get("ratio_eager_to_lists"), "{:.2f}×")),
        ("seed workload, fit alone: default / compile=True", "", _both_fits(results)),
        ("seed workload, hand-written list code ÷ NumPy", "",
         _floor(seed)),
        ("`import purenn` adds to `python3 -c pass`", "≤ 30 ms",
         cell(_ms(get(results, "bench_import", "added")), "{:.0f} ms")),
        ("`import numpy` adds, for comparison", "",
         cell(_ms(get(results, "bench_import", "numpy_added")), "{:.0f} ms")),
        ("one step of micrograd's demo MLP: micrograd ÷ purenn compile=True", "≥ 300×",
         cell(get(results, "bench_micrograd", "speedup_compiled"), "{:.0f}×")),
        ("one step of micrograd's demo MLP: micrograd ÷ purenn default", "",
         cell(get(results, "bench_micrograd", "speedup"), "{:.0f}×")),
        ("digits MLP 64-32-10, one epoch", "≤ 0.25 s (3.11), 0.13 s (3.13)",
         cell(get(results, "bench_digits", "medians", "purenn"), "{:.3f} s")),
        ("… the same epoch in NumPy / PyTorch CPU", "",
         f"{cell(get(results, 'bench_digits', 'medians', 'NumPy'), '{:.3f} s')} / "
         f"{cell(get(results, 'bench_digits', 'medians', 'PyTorch CPU'), '{:.3f} s')}"),
        ("digits run's peak memory ÷ its floor (tracemalloc)", "≤ 2",
         cell(get(results, "bench_digits", "memory", "ratio"), "{:.2f}×")),
        ("digits CNN (examples/digits_cnn.py), one epoch", "",
         cell(get(results, "bench_digits", "cnn_epoch"), "{:.2f} s")),
        ("microgpt's step (one name): microgpt ÷ purenn", "≥ 25×",
         cell(get(results, "bench_microgpt", "speedup"), "{:.0f}×")),
        ("… microgpt's own step", "",
         cell(get(results, "bench_microgpt", "microgpt_step"), "{:.3f} s")),
        ("time to microgpt's held-out loss, batched recipe ÷ microgpt's run", "≤ 1/50",
         cell(_inverse(get(results, "bench_microgpt", "quality_ratio")), "1/{:.0f}")),
        ("… microgpt's recipe reproduced in purenn ÷ microgpt's run", "",
         cell(_inverse(get(results, "bench_microgpt", "exact_ratio")), "1/{:.0f}")),
    ]
    for size in results.get("bench_kernels", {}).get("matmul", []):
        table.append((
            f"matmul {size['size']}: compile=True ÷ the fastest formulation", "≥ 0.9",
            f"{size['ratio_compiled_to_fastest']:.2f} "
            f"({size['rates']['purenn compile=True']:.0f} MFLOP/s, {size['chosen']}; "
            f"fastest: {size['fastest']})"))
        table.append((
            f"matmul {size['size']}: default ÷ the fastest formulation", "",
            f"{size['ratio_to_fastest']:.2f} ({size['rates']['purenn kernels.matmul']:.0f} "
            "MFLOP/s)"))
    return table


def _both_fits(results: Results) -> str:
    default = get(results, "bench_seed", "in_process", "purenn fit")
    compiled = get(results, "bench_seed", "in_process", "purenn fit, compile=True")
    return f"{cell(default, '{:.3f} s')} / {cell(compiled, '{:.3f} s')}"
def _inverse(ratio: Optional[float]) -> Optional[float]:
    return None if not ratio else 1.0 / ratio


def _ms(seconds: Optional[float]) -> Optional[float]:
    return None if seconds is None else seconds * 1e3


def _floor(seed: Dict[str, Any]) -> str:
    medians = seed.get("in_process", {})
    if "tutorial NumPy" not in medians:
        return "—"
    return f"{medians['hand-written lists, no library'] / medians['tutorial NumPy']:.2f}×"


def markdown(by_interpreter: Dict[str, Results], quick: bool) -> str:
    """The table: one row per measurement, one column per interpreter."""
    labels = list(by_interpreter)
    lines = [f"Measured {time.strftime('%Y-%m-%d')} by `python3 benchmarks/run_all.py"
             f"{' --quick' if quick else ''}` on "
             f"{_first(by_interpreter, 'machine')}.", ""]
    for label in labels:
        lines.append(f"- **{label}**: {_first({label: by_interpreter[label]}, 'interpreter')}")
    lines += ["", "| measurement | target | " + " | ".join(labels) + " |",
              "|---|---|" + "---|" * len(labels)]
    columns = {label: rows(label, results) for label, results in by_interpreter.items()}
    names: List[Tuple[str, str]] = []
    for table in columns.values():
        for what, target, _ in table:
            if (what, target) not in names:
                names.append((what, target))
    for what, target in names:
        cells = []
        for label in labels:
            found = [m for w, t, m in columns[label] if (w, t) == (what, target)]
            cells.append(found[0] if found else "—")
        lines.append(f"| {what} | {target} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _first(by_interpreter: Dict[str, Results], key: str) -> str:
    for results in by_interpreter.values():
        for result in results.values():
            if key in result:
                return str(result[key])
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", default=[],
                        help="LABEL=PATH of an interpreter (repeatable)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes")
    parser.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--only", action="append", choices=SCRIPTS, help="run only these")
    args = parser.parse_args()
    pythons = [spec.split("=", 1) for spec in args.python] or [["this", sys.executable]]
    by_interpreter: Dict[str, Results] = {}
    for label, python in pythons:
        with tempfile.TemporaryDirectory() as folder:
            results: Results = {}
            for script in args.only or SCRIPTS:
                result = run(python, script, args.quick, folder)
                if result is not None:
                    results[script] = result
        by_interpreter[label] = results
    table = markdown(by_interpreter, args.quick)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(table)
    print(f"\n{table}\nwritten to {args.out}")


if __name__ == "__main__":
    main()
