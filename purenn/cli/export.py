"""``python3 -m purenn export --model PATH OUTPUT``: a saved model in another format.

    json     purenn's own format again, without training state (and the labels file copied
             beside it, so predict reads the copy as it read the original)
    npz      NumPy's .npz, in PyTorch's names and layouts (purenn.export_npz)
    onnx     an ONNX model for ONNX Runtime, float64 or with --dtype float32 (purenn.export_onnx)
    python   one .py file that needs only ``math``, for MicroPython (purenn.export_python)

The format is ``--format``, or else told by OUTPUT's extension: .json, .npz, .onnx, .py.
A classifier's class names, from its labels file, go into the ONNX metadata ("class_names")
and the Python file (``predict_labels``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from purenn.cli.options import (
    CommandParser,
    UsageError,
    add_command,
    given_options,
    refuse_options,
)
from purenn.cli.outputs import check_output_file
from purenn.cli.sidecar import labels_path, load_with_labels, save_with_labels
from purenn.formats import export_npz, export_onnx, export_python, save
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Callable

__all__ = ["EXPORTERS", "EXTENSIONS", "add_export_command", "export_format", "run_export_command"]

EXPORTERS: dict[str, Callable[[Network, str], None]] = {
    "json": save,
    "npz": export_npz,
    "onnx": export_onnx,
    "python": export_python,
}
"""--format NAME: the function that writes it."""

EXTENSIONS = {".json": "json", ".npz": "npz", ".onnx": "onnx", ".py": "python"}
"""The format an OUTPUT's extension tells, when --format is not given."""

DTYPES = ("float64", "float32")

_EXAMPLE = """\
a worked example:
  python3 -m purenn train moons --arch 2-16-16-2 --save moons.json
  %(prog)s --model moons.json moons.onnx
      an ONNX model (float64) that ONNX Runtime runs: the format is told by .onnx
  %(prog)s --model moons.json --format python moons_model.py
      one file that needs only math: copy it to a board running MicroPython and call
      predict([[0.5, 0.25]]) there
"""


def add_export_command(commands: argparse._SubParsersAction[CommandParser]) -> CommandParser:
    """The ``export`` command's parser and options.

    >>> parser = CommandParser(prog="purenn")
    >>> export = add_export_command(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["export", "--model", "m.json", "m.onnx"])
    >>> args.model, args.output, args.format
    ('m.json', 'm.onnx', None)
    """
    export = add_command(
        commands,
        "export",
        "write a saved model as JSON, NumPy .npz, ONNX or standalone Python",
        "Write a model saved by train --save (or purenn.save) in another format: purenn's\n"
        "JSON without training state, NumPy's .npz in PyTorch's layout, ONNX, or one Python\n"
        "file that needs only math (for MicroPython).",
        _EXAMPLE,
    )
    export.add_argument("output", metavar="OUTPUT", help="the file to write")
    export.add_argument("--model", required=True, metavar="PATH", help="the saved model")
    export.add_argument("--format", choices=list(EXPORTERS),
                        help="default: told by OUTPUT's extension (.json .npz .onnx .py)")
    export.add_argument("--dtype", choices=DTYPES,
                        help="with --format onnx: the model's float type (default float64)")
    export.set_defaults(run=run_export_command)
    return export


def export_format(output: str, given: str | None) -> str:
    """The format to write: ``given`` (--format), else the one OUTPUT's extension tells.

    >>> export_format("model.onnx", None), export_format("model.bin", "npz")
    ('onnx', 'npz')
    >>> export_format("model.bin", None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: cannot tell a format from 'model.bin': give --format json, ...
    """
    if given is not None:
        return given
    extension = os.path.splitext(output)[1].lower()
    if extension not in EXTENSIONS:
        names = ", ".join(list(EXPORTERS)[:-1]) + f" or {list(EXPORTERS)[-1]}"
        raise UsageError(f"cannot tell a format from {output!r}: give --format {names}")
    return EXTENSIONS[extension]


def run_export_command(args: argparse.Namespace) -> int:
    """Run ``export`` as ``args`` asks; prints the path written, returns the exit status 0.

    >>> import os, tempfile
    >>> from purenn.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> model = os.path.join(folder, "xor.json")
    >>> main(["train", "xor", "--epochs", "1", "--quiet", "--save", model])  # doctest: +ELLIPSIS
    data: ...
    0
    >>> main(["export", "--model", model, os.path.join(folder, "xor.py")])  # doctest: +ELLIPSIS
    wrote ...xor.py (python)
    0
    """
    chosen = export_format(args.output, args.format)
    check_output_file(args.output, "OUTPUT")
    if chosen != "onnx":
        refuse_options(given_options(args, "--dtype"), "only for --format onnx")
    network, labels = load_with_labels(args.model)
    if chosen == "json" and labels is not None:
        check_output_file(labels_path(args.output), "OUTPUT (its labels file)")
        model, written = save_with_labels(network, args.output, labels)
        print(f"wrote {model} ({chosen})\nwrote {written}", file=sys.stdout)
        return 0
    classes = labels.classes if labels is not None else None
    if chosen == "onnx":
        export_onnx(network, args.output, dtype=args.dtype or DTYPES[0], class_names=classes)
    elif chosen == "python":
        export_python(network, args.output, class_names=classes)
    else:
        EXPORTERS[chosen](network, args.output)
    print(f"wrote {args.output} ({chosen})", file=sys.stdout)
    return 0
