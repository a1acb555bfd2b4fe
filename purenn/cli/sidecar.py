"""The labels file ``train --save`` writes beside a model: what ``predict`` needs that purenn's
model format does not hold.

purenn's model file holds exactly its own keys (``load`` refuses any other as damage), so what
the command line knows about the data lives next to it, ``moons.json`` → ``moons.labels.json``::

    {"format": "purenn-labels", "version": 1,
     "task": "classify",                           or "regress"
     "classes": ["setosa", "versicolor", …],       the text of class 0, 1, …; null to regress
     "header": ["sepal_length", …, "species"],     the training file's header, or null
     "target": 4,                                  the target's column (from 0), or null
     "columns": 5}                                 the training file's columns, or null

``predict`` prints ``classes`` back for the class indices the network gives, and finds the
input columns of a file laid out as the training file from ``header``, ``target`` and
``columns``; the three are null for a built-in data set.  ``predict`` checks that the file
fits the model (as many classes as outputs, as many features as inputs), so a labels file
left over from another model is refused rather than believed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.cli.data import TrainingData
from purenn.cli.targets import CLASSIFY, TASKS
from purenn.formats.checks import expect_int, expect_keys, expect_list, expect_text, fail
from purenn.formats.files import read_bytes, write_atomically
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any

    from purenn.formats.files import PathLike

__all__ = ["FORMAT", "VERSION", "Labels", "labels_path", "labels_of", "write_labels", "read_labels"]

FORMAT = "purenn-labels"
VERSION = 1


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
    >>> labels_of(builtin_data("xor"))
    Labels(task='classify', classes=['0', '1'], header=None, target=None, columns=None)
    """
    target = data.target
    classes = target.classes if target.task == CLASSIFY else None
    return Labels(target.task, classes, data.header, data.target_column, data.columns)


def write_labels(model_path: PathLike, labels: Labels) -> str:
    """Write ``labels`` beside the model at ``model_path`` (atomically); returns the path.

    >>> import os, tempfile
    >>> model = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> path = write_labels(model, Labels("regress", None, None, None, None))
    >>> os.path.basename(path)
    'm.labels.json'
    """
    path = labels_path(model_path)
    document = {"format": FORMAT, "version": VERSION, **asdict(labels)}
    # One key per line, each list on its line: a person can read it and edit a label.
    lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
             for key, value in document.items()]
    write_atomically(path, ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8"))
    return path


def _optional(value: Any, check: Any, label: str, where: str) -> Any:
    return None if value is None else check(value, label, where)


def _texts(value: Any, label: str, where: str) -> list[str]:
    return [expect_text(item, f"{label}[{i}]", where) for i, item in enumerate(
        expect_list(value, label, where))]


def _parse(path: str) -> Labels:
    where = path
    try:
        document = json.loads(read_bytes(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        fail(where, f"not a labels file: damaged JSON ({error})")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        fail(where, f"not a labels file (no \"format\": \"{FORMAT}\")")
    fields = ["format", "version", "task", "classes", "header", "target", "columns"]
    expect_keys(document, fields, "the file", where)
    expect_int(document["version"], "version", where, VERSION, VERSION)
    task = expect_text(document["task"], "task", where)
    if task not in TASKS:
        fail(where, f"task must be one of {', '.join(TASKS)}, got {shown(task, 40)}")
    return Labels(
        task,
        _optional(document["classes"], _texts, "classes", where),
        _optional(document["header"], _texts, "header", where),
        _optional(document["target"], expect_int, "target", where),
        _optional(document["columns"], expect_int, "columns", where),
    )


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
    if labels.columns is not None and labels.target is not None and not (
        0 <= labels.target < labels.columns
        and (labels.header is None or len(labels.header) == labels.columns)
    ):
        fail(where, "target, header and columns do not agree")


def read_labels(model_path: PathLike, network: Network) -> Labels | None:
    """The labels file of the model at ``model_path``, checked against its ``network``; None
    if there is none.  Raises ModelFormatError for a damaged file or one that does not fit.

    >>> import os, tempfile
    >>> from purenn import Dense
    >>> model = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> read_labels(model, Network([Dense(2, 2)])) is None
    True
    >>> _ = write_labels(model, Labels("classify", ["a", "b", "c"], None, None, None))
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
    return labels
