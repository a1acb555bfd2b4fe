"""The labels file ``train --save`` writes beside a model: what ``predict`` needs that purenn's
model format does not hold.

purenn's model file holds exactly its own keys (``load`` refuses any other as damage), so what
the command line knows about the data lives next to it, ``moons.json`` → ``moons.labels.json``::

    {"format": "purenn-labels", "version": 1,
     "task": "classify",                           or "regress"
     "classes": ["setosa", "versicolor", …],       the text of class 0, 1, …; null to regress
     "header": ["sepal_length", …, "species"],     the training file's header, or null
     "target": 4,                                  the target's column (from 0), or null
     "columns": 5,                                 the training file's columns, or null
     "model_sha256": "9f86d0…"}                    SHA-256 of the model file's bytes

``predict`` prints ``classes`` back for the class indices the network gives, and finds the
input columns of a file laid out as the training file from ``header``, ``target`` and
``columns``; the three are null for a built-in data set.  ``predict`` checks that the file
fits the model (as many classes as outputs, as many features as inputs), so a labels file
left over from another model is refused rather than believed.

The two files are written together (``save_with_labels``): both are written and flushed to
temporary files first, so a full disk or an error leaves the old pair; then the labels file is
renamed into place, then the model.  Between the two renames (or after a crash there) a reader
would find new labels beside the old model: ``model_sha256`` makes that visible, and
``load_with_labels`` refuses a labels file whose hash is not that of the model file it loaded
(version 1 files, written before the hash, are checked by their sizes only).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from purenn.arguments import MAX_ENTRIES, shown
from purenn.cli.data import TrainingData
from purenn.cli.targets import CLASSIFY, TASKS
from purenn.formats.checks import expect_int, expect_keys, expect_list, expect_text, fail
from purenn.formats.files import read_bytes, write_all_atomically
from purenn.formats.savefile import MAX_NESTING, load, model_bytes, nesting_depth
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any

    from purenn.formats.files import PathLike

__all__ = [
    "FORMAT", "VERSION", "Labels", "labels_path", "labels_of", "fingerprint", "save_with_labels",
    "read_labels", "load_with_labels",
]

FORMAT = "purenn-labels"
VERSION = 2
"""Version 2 added ``model_sha256``; version 1 files are still read."""
FIELDS = ["format", "version", "task", "classes", "header", "target", "columns"]


@dataclass
class Labels:
    """The contents of a labels file (see the module docstring).

    >>> Labels("classify", ["cat", "dog"], None, None, None).n_features is None
    True
    """

    task: str
    classes: list[str] | None
    header: list[str] | None
    target: int | None
    columns: int | None
    model_sha256: str | None = None  # of the model file the labels were written with

    @property
    def n_features(self) -> int | None:
        """The training file's number of input columns, or None for a built-in set."""
        return None if self.columns is None else self.columns - 1


def labels_path(model_path: PathLike) -> str:
    """The labels file of the model at ``model_path``: its extension replaced by .labels.json.

    >>> labels_path("out/moons.json"), labels_path("model")
    ('out/moons.labels.json', 'model.labels.json')
    """
    return os.path.splitext(os.fspath(model_path))[0] + ".labels.json"


def labels_of(data: TrainingData) -> Labels:
    """The Labels that describe ``data``.

    >>> from purenn.cli.data import builtin_data
    >>> labels = labels_of(builtin_data("xor"))
    >>> labels.task, labels.classes, labels.header, labels.target, labels.columns
    ('classify', ['0', '1'], None, None, None)
    """
    target = data.target
    classes = target.classes if target.task == CLASSIFY else None
    return Labels(target.task, classes, data.header, data.target_column, data.columns)


def fingerprint(data: bytes) -> str:
    """The SHA-256 of a model file's bytes, in hexadecimal: what its labels file records.

    >>> fingerprint(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


def _labels_bytes(labels: Labels, model: bytes) -> bytes:
    """The labels file of ``labels`` for the model file ``model``."""
    fields = {**asdict(labels), "model_sha256": fingerprint(model)}
    document = {"format": FORMAT, "version": VERSION, **fields}
    # One key per line, each list on its line: a person can read it and edit a label.
    lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
             for key, value in document.items()]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def save_with_labels(network: Network, model_path: PathLike, labels: Labels) -> list[str]:
    """Save ``network`` to ``model_path`` and ``labels`` beside it, as a pair (the module
    docstring says how); returns the two paths written.

    >>> import os, tempfile
    >>> from purenn import Dense
    >>> model = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> paths = save_with_labels(Network([Dense(2, 1)]), model, Labels("regress", None, None,
    ...                          None, None))
    >>> [os.path.basename(path) for path in paths]
    ['m.json', 'm.labels.json']
    """
    path = os.fspath(model_path)
    data = model_bytes(network, None, f"save: {path}")
    write_all_atomically([(labels_path(path), _labels_bytes(labels, data)), (path, data)])
    return [path, labels_path(path)]


def _optional(value: Any, check: Any, label: str, where: str) -> Any:
    return None if value is None else check(value, label, where)


def _texts(value: Any, label: str, where: str) -> list[str]:
    return [expect_text(item, f"{label}[{i}]", where) for i, item in enumerate(
        expect_list(value, label, where))]


def _short_int(text: str) -> int:
    # A labels file's ints are a column index and a number of columns: 20 digits is plenty,
    # and every Python refuses a longer one the same way (3.11 and later would anyway).
    if len(text) > 20:
        raise ValueError(f"the integer {text[:20]}… is too long")
    return int(text)


def _document(path: str) -> Any:
    """The JSON value in the file at ``path``, or ModelFormatError."""
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as error:
        fail(path, f"not a labels file: not UTF-8 text (byte {error.start} is invalid)")
    if nesting_depth(text) > MAX_NESTING:
        fail(path, f"not a labels file: nested more than {MAX_NESTING} deep")
    try:
        return json.loads(text, parse_int=_short_int)
    except (ValueError, RecursionError) as error:
        fail(path, f"not a labels file: damaged JSON ({shown(str(error))})")


def _parse(path: str) -> Labels:
    where = path
    document = _document(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        fail(where, f"not a labels file (no \"format\": \"{FORMAT}\")")
    version = expect_int(document.get("version"), "version", where, 1, VERSION)
    expect_keys(document, FIELDS + ["model_sha256"] * (version > 1), "the file", where)
    task = expect_text(document["task"], "task", where)
    if task not in TASKS:
        fail(where, f"task must be one of {', '.join(TASKS)}, got {shown(task, 40)}")
    return Labels(
        task,
        _optional(document["classes"], _texts, "classes", where),
        _optional(document["header"], _texts, "header", where),
        _optional(document["target"], _count(0), "target", where),
        _optional(document["columns"], _count(1), "columns", where),
        expect_text(document["model_sha256"], "model_sha256", where) if version > 1 else None,
    )


def _count(minimum: int) -> Any:
    """A check of an int in [minimum, MAX_ENTRIES] (a column index or a number of columns)."""
    def check(value: Any, label: str, where: str) -> int:
        return expect_int(value, label, where, minimum, MAX_ENTRIES)
    return check


def _check_fit(labels: Labels, network: Network, where: str) -> None:
    """Refuse labels that cannot belong to ``network``."""
    classes = labels.classes
    fits = classes is not None and (
        len(classes) == network.n_out or (len(classes) == 2 and network.n_out == 1)
    )
    if labels.task == CLASSIFY and not fits:
        fail(where, f"{len(classes or [])} classes for a model of {network.n_out} outputs: "
                    "this labels file belongs to another model")
    if labels.n_features is not None and labels.n_features != network.n_in:
        fail(where, f"{labels.n_features} input columns for a model of {network.n_in} inputs: "
                    "this labels file belongs to another model")
    # target and columns come together (a CSV file) or not at all (a built-in set); a header
    # only with them, one name per column; the target one of the columns.
    if (labels.target is None) != (labels.columns is None) or (
        labels.columns is not None and labels.target is not None
        and not labels.target < labels.columns
    ) or (labels.header is not None and len(labels.header) != labels.columns):
        fail(where, "target, header and columns do not agree")


def read_labels(model_path: PathLike, network: Network, model: bytes | None = None
                ) -> Labels | None:
    """The labels file of the model at ``model_path``, checked against its ``network`` (and,
    for a version 2 file, against ``model``, the bytes the network was loaded from); None if
    there is none.  Raises ModelFormatError for a damaged file or one that does not fit.

    >>> import os, tempfile
    >>> from purenn import Dense
    >>> model = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> read_labels(model, Network([Dense(2, 2)])) is None
    True
    >>> _ = save_with_labels(Network([Dense(2, 2)]), model, Labels("classify", ["a", "b", "c"],
    ...                      None, None, None))
    >>> read_labels(model, Network([Dense(2, 2)]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.errors.ModelFormatError: ...m.labels.json: 3 classes for a model of 2 outputs: ...
    """
    path = labels_path(model_path)
    if not os.path.exists(path):
        return None
    labels = _parse(path)
    _check_fit(labels, network, path)
    if model is not None and labels.model_sha256 not in (None, fingerprint(model)):
        fail(path, f"was written with another version of {os.fspath(model_path)} (it was "
                   "saved again without it, or a save was interrupted): train again, or delete "
                   "the labels file to predict without it")
    return labels


def load_with_labels(model_path: str) -> tuple[Network, Labels | None]:
    """(the network at ``model_path``, its labels file or None), the labels checked to belong
    to the very bytes the network was loaded from: the model file is read before and after
    loading, so a model replaced meanwhile is noticed rather than paired with the wrong labels.

    >>> import os, tempfile
    >>> from purenn import Dense
    >>> model = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> _ = save_with_labels(Network([Dense(2, 1)]), model, Labels("regress", None, None,
    ...                      None, None))
    >>> load_with_labels(model)[1].task
    'regress'
    """
    if not os.path.isfile(model_path):  # a pipe (<(…)) can be read once, and has no labels
        return load(model_path), None
    before = read_bytes(model_path)
    network = load(model_path)
    if read_bytes(model_path) != before:
        fail(model_path, "the file changed while it was read (it is being saved): run again")
    return network, read_labels(model_path, network, before)
