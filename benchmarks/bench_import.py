"""``import purenn``: how much it adds to an interpreter's start, as whole processes.

Run: ``python3 benchmarks/bench_import.py [--repeats N] [--json FILE]``.  Interleaved, each a
fresh process: ``python -c pass``, ``python -c "import purenn"``, and, for comparison, ``import
numpy`` when it is installed.  Bytecode is cached first (as it is for an installed package):
the first, untimed run of each writes it.  ``python -X importtime -c "import purenn"`` shows
where the rest goes, module by module.
"""

import sys
from typing import Dict, List

from common import arguments, has, header, report, save, whole_processes


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=21)
    header("import time, whole processes, medians")
    commands: Dict[str, List[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import purenn": [sys.executable, "-c", "import purenn"],
    }
    numpy = has("numpy")
    if numpy:
        commands["import numpy"] = [sys.executable, "-c", "import numpy"]
    medians = whole_processes(commands, args.repeats)
    report("whole processes", medians, "python -c pass")
    added = medians["import purenn"] - medians["python -c pass"]
    print(f"\nimport purenn adds {added * 1e3:.1f} ms")
    results = {"medians": medians, "added": added}
    if numpy:
        results["numpy_added"] = medians["import numpy"] - medians["python -c pass"]
    save(args.json, results)


if __name__ == "__main__":
    main()
