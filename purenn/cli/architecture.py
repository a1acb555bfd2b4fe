"""The network ``train`` builds: its sizes, its activations, and a loss that fits the task.

Sizes, one of:

    --arch 2-16-16-1             every layer's width, the inputs first and the outputs last;
                                 hidden layers use --activation (default tanh)
    --layers 16:relu,16:relu,3   the width of each layer after the inputs, each with its own
                                 activation (WIDTH:ACTIVATION); a bare WIDTH takes --activation,
                                 or on the last layer the output activation below
    (neither)                    one hidden layer of DEFAULT_HIDDEN units, and the outputs
                                 of the first row below that fits the target and the loss

The first width of ``--arch`` must be the data's number of features, and the last must fit the
target; a mismatch is one error line saying what would fit.

Inputs are standardised by default: a first layer ``Normalization`` learns each feature's mean
and standard deviation from the training rows (``adapt``) and is saved and exported with the
network, so the model predicts from raw rows.  Raw features on very different scales (a CSV's
usual case) otherwise leave the default network learning a constant.  To regress, the target is
standardised too: a last layer ``Normalization(1, invert=True)``, adapted to the training
targets, turns the network's standardised output back into the target's units (a target of
mean 150 would otherwise take thousands of small steps to reach).  ``--no-standardize`` builds
the Dense layers alone.

The output and the loss (``--loss`` chooses among those allowed; the first is the default):

    k classes, k outputs          cross_entropy (identity outputs: the loss applies the
                                  softmax); bce, mse or sse on one-hot targets (sigmoid outputs)
    2 classes, 1 output           bce (one sigmoid output, the probability of class 1); mse or
                                  sse on 0/1 targets (sigmoid output)
    regression, 1 output          mse or sse (identity output)
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS
from purenn.arguments import MAX_ENTRIES
from purenn.cli.data import TrainingData
from purenn.cli.options import UsageError
from purenn.cli.targets import CLASSIFY, Target
from purenn.encoding import one_hot
from purenn.layers import ConstantFeatureWarning, Dense, Layer, Normalization
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any, Optional, Sequence, Tuple

    LayerSpec = Tuple[int, Optional[str]]
    """One entry of --layers: (width, activation name or None)."""

__all__ = [
    "DEFAULT_HIDDEN",
    "parse_arch",
    "parse_layers",
    "Plan",
    "plan_network",
    "build_network",
    "fit_targets",
]

DEFAULT_HIDDEN = 16


# The losses for classes that read outputs as probabilities (and so want sigmoid outputs).
_PROBABILITY_LOSSES = ("bce", "mse", "sse")
_REGRESSION_LOSSES = ("mse", "sse")


def _width(text: str, where: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{where}: {text!r} is not a width (an int ≥ 1)")
    return value


def parse_arch(text: str) -> list[int]:
    """An argparse type: "2-16-16-1" as [2, 16, 16, 1], at least an input and an output width.

    >>> parse_arch("2-16-16-1")
    [2, 16, 16, 1]
    >>> parse_arch("2-x-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: in '2-x-1': 'x' is not a width (an int ≥ 1)
    """
    parts = text.split("-")
    if len(parts) < 2:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an architecture: widths joined by '-', inputs first, e.g. 2-16-1"
        )
    return [_width(part.strip(), f"in {text!r}") for part in parts]


def parse_layers(text: str) -> list[LayerSpec]:
    """An argparse type: "16:relu,8,3:identity" as [(16, 'relu'), (8, None), (3, 'identity')].

    >>> parse_layers("16:relu,8")
    [(16, 'relu'), (8, None)]
    >>> parse_layers("16:rellu")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: in '16:rellu': unknown activation 'rellu'; known activations: ...
    """
    specs: list[LayerSpec] = []
    for item in text.split(","):
        width, _, name = item.strip().partition(":")
        if name and name not in ACTIVATIONS:
            raise argparse.ArgumentTypeError(
                f"in {text!r}: unknown activation {name!r}; known activations: "
                f"{', '.join(ACTIVATIONS.names())}"
            )
        specs.append((_width(width, f"in {text!r}"), name or None))
    return specs


@dataclass
class Plan:
    """What to build: ``sizes`` (inputs, then each Dense layer's outputs), one activation per
    Dense layer, the loss, and whether a Normalization layer standardises the inputs first.

    >>> print(Plan([2, 16, 2], ["tanh", "identity"], "cross_entropy", standardize=True))
    2-16-2, activations tanh → identity, loss cross_entropy
    """

    sizes: list[int]
    activations: list[str]
    loss: str
    standardize: bool = False

    def __str__(self) -> str:
        sizes = "-".join(map(str, self.sizes))
        return f"{sizes}, activations {' → '.join(self.activations)}, loss {self.loss}"


def _shown(classes: Sequence[str]) -> str:
    return ", ".join(classes[:6]) + (", …" if len(classes) > 6 else "")


def _default_outputs(target: Target, loss: str | None) -> int:
    """Without --arch or --layers: 1 to regress or for 2 classes with a probability loss, else
    a score per class."""
    if target.task != CLASSIFY or (target.n_classes == 2 and loss in _PROBABILITY_LOSSES):
        return 1
    return target.n_classes


def _default_loss(target: Target, n_out: int) -> str:
    if target.task != CLASSIFY:
        return "mse"
    return "bce" if n_out == 1 else "cross_entropy"


def _check_outputs(data: TrainingData, n_out: int, loss: str, option: str) -> None:
    """Refuse an output width or a loss that does not fit the target (see the docstring)."""
    target = data.target
    if target.task != CLASSIFY:
        if n_out != 1:
            raise UsageError(f"{option} ends in {n_out} outputs but {data.name} has one target "
                             "to regress: end it in 1")
        if loss not in _REGRESSION_LOSSES:
            raise UsageError(f"--loss {loss} is for classes, but {data.name} is regression "
                             f"({target.reason}): use mse or sse")
        return
    k = target.n_classes
    allowed = (k, 1) if k == 2 else (k,)
    if n_out not in allowed:
        hint = ", or in 1 (one sigmoid output, loss bce)" if k == 2 else ""
        raise UsageError(f"{option} ends in {n_out} outputs but {data.name} has {k} classes "
                         f"({_shown(target.classes)}): end it in {k} (a score per class){hint}")
    if loss == "cross_entropy" and n_out == 1:
        raise UsageError(f"--loss cross_entropy needs an output per class: end {option} in {k}, "
                         "or use --loss bce for one output")


def _sizes(data: TrainingData, arch: list[int] | None, layers: list[LayerSpec] | None,
           default_out: int) -> tuple[list[int], list[str | None], str]:
    """(sizes, the activations --layers names, the option's text for messages)."""
    n = data.n_features
    if arch is not None:
        text = f"--arch {'-'.join(map(str, arch))}"
        if arch[0] != n:
            columns = "feature column" if n == 1 else "feature columns"
            raise UsageError(f"{text} starts with {arch[0]} inputs but {data.name} has {n} "
                             f"{columns}: start it with {n}")
        return arch, [None] * (len(arch) - 1), text
    if layers is not None:
        return [n] + [w for w, _ in layers], [a for _, a in layers], "--layers"
    return [n, DEFAULT_HIDDEN, default_out], [None, None], "the default architecture"


def plan_network(data: TrainingData, arch: list[int] | None,
                 layers: list[LayerSpec] | None, activation: str,
                 loss: str | None, standardize: bool = False) -> Plan:
    """The Plan for ``data`` from train's options (None where not given): sizes from ``arch``
    or ``layers``, hidden ``activation``, ``loss`` or the default for the task, and whether to
    ``standardize`` the inputs.  Raises UsageError, saying what would fit, when the sizes or the
    loss do not fit the data.

    >>> from purenn.cli.data import builtin_data
    >>> print(plan_network(builtin_data("xor"), [2, 4, 1], None, "tanh", None))
    2-4-1, activations tanh → sigmoid, loss bce
    >>> plan_network(builtin_data("xor"), [3, 4, 1], None, "tanh", None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    purenn.cli.options.UsageError: --arch 3-4-1 starts with 3 inputs but xor has 2 feature ...
    """
    target = data.target
    sizes, named, option = _sizes(data, arch, layers, _default_outputs(target, loss))
    count = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    # A typo such as 2-16000000-2 would fill the memory before anything could say so (the
    # system kills the process; Python never sees a MemoryError): the library's one limit.
    if count > MAX_ENTRIES:
        raise UsageError(f"{option} would make {count:,} parameters; at most {MAX_ENTRIES:,} fit "
                         "(each one a Python float)")
    chosen = loss or _default_loss(target, sizes[-1])
    _check_outputs(data, sizes[-1], chosen, option)
    # The loss reads logits (cross_entropy) or values to regress: identity; else probabilities.
    output = "identity" if chosen == "cross_entropy" or target.task != CLASSIFY else "sigmoid"
    activations = [name or activation for name in named[:-1]] + [named[-1] or output]
    return Plan(sizes, activations, chosen, standardize)


def build_network(plan: Plan, seed: int, x: Any = None, values: Any = None) -> Network:
    """The Network of ``plan``: Dense layers with their default initializer, seeded; when the
    plan standardises, first a Normalization layer adapted to the training rows ``x`` (its
    ``constant`` lists the columns that hold one value: the caller says so; adapt's warning is
    not repeated on stderr), and last, given the targets to regress ``values``, an inverted
    one adapted to them.

    >>> build_network(Plan([2, 4, 1], ["tanh", "sigmoid"], "bce"), seed=0)
    Network([Dense(2, 4, activation='tanh'), Dense(4, 1, activation='sigmoid')], loss='bce')
    >>> build_network(Plan([1, 1], ["identity"], "mse", True), 0, [[1.0], [3.0]]).predict([[3]])
    ... # doctest: +ELLIPSIS
    [[...]]
    """
    layers: list[Layer] = [
        Dense(n_in, n_out, activation=name)
        for n_in, n_out, name in zip(plan.sizes, plan.sizes[1:], plan.activations)
    ]
    if plan.standardize:
        layers.insert(0, _adapted(Normalization(plan.sizes[0]), x))
        if values is not None:
            layers.append(_adapted(Normalization(plan.sizes[-1], invert=True), values))
    return Network(layers, loss=plan.loss, seed=seed)


def _adapted(layer: Normalization, rows: Any) -> Normalization:
    """``layer`` adapted to ``rows``, its constant-column warning left to the caller."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantFeatureWarning)
        layer.adapt(rows)
    return layer


def fit_targets(plan: Plan, target: Target) -> Any:
    """The Y that ``fit`` gets: the values to regress; class indices for cross_entropy; a 0/1
    column for one output; one-hot rows for an output per class.

    >>> target = Target("classify", "", labels=[1, 0], classes=["a", "b"])
    >>> fit_targets(Plan([2, 1], ["sigmoid"], "bce"), target)
    [[1.0], [0.0]]
    >>> fit_targets(Plan([2, 2], ["sigmoid"], "mse"), target)
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if target.task != CLASSIFY:
        return target.values
    if plan.loss == "cross_entropy":
        return target.labels
    if plan.sizes[-1] == 1:
        return [[float(label)] for label in target.labels]
    return one_hot(target.labels, target.n_classes)
