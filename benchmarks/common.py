"""What every benchmark shares: interleaved timing, medians, whole processes, the machine's name.

Speed is measured, never asserted.  Every benchmark times all its variants in one run,
interleaved (variant A, B, C, then A, B, C again, …), and reports medians and the ratios
between them, so that a machine busy with other work slows every variant alike and the ratios
stay comparable.  Each script prints its report and, given ``--json FILE``, writes its results
for ``benchmarks/run_all.py``, which builds the README's table from them.
"""

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)  # run from a clone without installing purenn


def interpreter() -> str:
    """'CPython 3.11.7' or 'PyPy 3.9.16 (7.3.11)'."""
    name = f"{platform.python_implementation()} {platform.python_version()}"
    pypy = getattr(sys, "pypy_version_info", None)
    if pypy is not None:
        name += " ({}.{}.{})".format(*pypy[:3])
    return name


def machine() -> str:
    """The processor's model and the number of cores, from /proc/cpuinfo where there is one."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()}"


def header(title: str) -> None:
    """The first lines of every report: what, on which interpreter and machine, when."""
    print(f"{title}\n{interpreter()} on {machine()}, {time.strftime('%Y-%m-%d')}")


def time_once(function: Callable[[], object], loops: int) -> float:
    """Seconds per call of ``function``, over ``loops`` calls.  The garbage the variant timed
    before left behind is collected first, untimed: micrograd's graphs are full of reference
    cycles, and collecting them must not count against whatever runs next."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(loops):
        function()
    return (time.perf_counter() - start) / loops


def bench(
    cases: Dict[str, Callable[[], object]], repeats: int, loops: int = 1, warmup: int = 1
) -> Dict[str, float]:
    """Median seconds per call of each case, the cases interleaved within every repeat
    (after ``warmup`` untimed rounds: PyPy's JIT compiles during them)."""
    for _ in range(warmup):
        for function in cases.values():
            time_once(function, loops)
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, function in cases.items():
            samples[name].append(time_once(function, loops))
    return {name: statistics.median(times) for name, times in samples.items()}


def whole_processes(
    commands: Dict[str, Sequence[str]], repeats: int, env: Optional[Dict[str, str]] = None
) -> Dict[str, float]:
    """Median wall-clock seconds of each command run as a whole process, interleaved; each
    is run once first, untimed (it writes its bytecode caches then)."""
    environment = dict(os.environ if env is None else env)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)  # time imports as an installed package runs
    environment.setdefault("PYTHONPATH", REPO)

    def run(command: Sequence[str]) -> None:
        subprocess.run(list(command), check=True, env=environment, cwd=REPO,
                       stdout=subprocess.DEVNULL)

    return bench({name: (lambda c=command: run(c)) for name, command in commands.items()},
                 repeats)


def report(title: str, medians: Dict[str, float], baseline: str, unit: str = "ms") -> None:
    """One line per case: its median and its ratio to ``baseline``."""
    scale = {"ms": 1e3, "us": 1e6, "s": 1.0}[unit]
    print(f"\n{title}  (ratio to {baseline})")
    for name, seconds in medians.items():
        print(f"  {name:<40} {seconds * scale:12.3f} {unit}   {seconds / medians[baseline]:7.2f}×")


def arguments(description: str, repeats: int) -> argparse.Namespace:
    """--repeats N and --json FILE, which every benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeats", type=int, default=repeats, help="timed rounds (median)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes (a check)")
    return parser.parse_args()


def save(path: Optional[str], results: Dict[str, Any]) -> None:
    """Write ``results``, with the interpreter and machine, as JSON (for run_all.py)."""
    if path:
        results = {"interpreter": interpreter(), "machine": machine(), **results}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)


def has(module: str) -> bool:
    """Whether ``module`` can be imported here (NumPy, torch, micrograd are optional)."""
    try:
        __import__(module)
    except ImportError:
        return False
    return True
