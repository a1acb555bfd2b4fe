"""Make the folder of packages that the suite imports inside Pyodide (.ci/pyodide_suite.mjs).

Run: ``python .ci/pyodide_site.py --purenn DIR --out DIR``.  The folder gets purenn as
installed from the wheel under test (``--purenn``, the package folder in a site-packages) and
the test tools, unpacked from the pure-Python wheels pip downloads for Python 3.14 (Pyodide's
Python); Pyodide's own ``loadPackage`` is not used, because it downloads at run time.
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from typing import List

# The test tools for Python 3.14, pinned as the ``test`` extra pins them for the other
# interpreters.  hypothesis 6.155.7 is the newest release whose wheel pip offers for
# "--platform any --python-version 3.14" from this project's package index.
PINS = ["pytest==9.2.0", "hypothesis==6.155.7"]
PYODIDE_PYTHON = "3.14"


def download(folder: pathlib.Path) -> List[pathlib.Path]:
    """The pinned wheels and their dependencies, for Pyodide's Python, into ``folder``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
         "--platform", "any", "--python-version", PYODIDE_PYTHON, "--dest", str(folder),
         *PINS],
        check=True,
    )
    return sorted(folder.glob("*.whl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purenn", required=True, type=pathlib.Path,
                        help="the installed purenn package folder")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="the folder to make")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    shutil.copytree(args.purenn, args.out / "purenn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with tempfile.TemporaryDirectory() as scratch:
        for wheel in download(pathlib.Path(scratch)):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(args.out)
            print(f"pyodide site: {wheel.name}")
    print(f"pyodide site: purenn from {args.purenn}")


if __name__ == "__main__":
    main()
