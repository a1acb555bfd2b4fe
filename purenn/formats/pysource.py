"""The pieces of a standalone Python file that do not depend on the layers: the prelude (``dot``
as purenn's kernels compute it, ``dense``), the activations as Python source
(``PYTHON_ACTIVATIONS``), and ``Source``, the file being written, with its weight literals.
``purenn.formats.standalone`` adds the layers and writes the file; its docstring says why the
file predicts bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS, Activation
from purenn.errors import ConfigurationError
from purenn.formats.literals import number_literal
from purenn.formats.names import spec_of

if TYPE_CHECKING:
    from typing import Callable, Dict, Sequence, Tuple

    # Each entry: (source of the function, given its name and the activation's spec; whether it
    # is applied to whole rows rather than to each entry; extra prelude it needs).
    ActivationSource = Tuple[Callable[[str, Dict[str, float]], str], bool, str]

__all__ = [
    "CHUNK", "LINE_WIDTH", "PRELUDE", "PYTHON_ACTIVATIONS", "Source", "list_statements",
    "add_blocks",
]

CHUNK = 500  # numbers per list literal (MicroPython fails at ~2,500 in one literal)
LINE_WIDTH = 100

PRELUDE = '''
import math


def _mul(a, b):
    return a * b


if hasattr(math, "sumprod"):  # CPython 3.12+, where purenn's kernels use it too

    def dot(a, b):
        """a · b as purenn's kernels compute it on CPython 3.12+: rows of at most 16 numbers
        summed left to right from 0.0, longer ones by math.sumprod."""
        if len(a) > 16:
            return math.sumprod(a, b)
        total = 0.0
        for x, y in zip(a, b):
            total = total + x * y
        return total

else:

    def dot(a, b):
        """a · b, summed left to right, as purenn's kernel computes it before CPython 3.12."""
        return sum(map(_mul, a, b))


def dense(rows, columns, bias):
    """Z = X·W + b: Z_ij = dot(X_i, column j of W) + b_j (no b: bias is None)."""
    if bias is None:
        return [[dot(row, column) for column in columns] for row in rows]
    return [[dot(row, column) + b for column, b in zip(columns, bias)] for row in rows]
'''

_LOG1P = '''
if hasattr(math, "log1p"):
    log1p = math.log1p
else:  # MicroPython

    def log1p(x):
        """ln(1 + x), accurate for tiny x: ln(u)·x/(u − 1) with u = 1 + x (Goldberg, 1991)."""
        u = 1.0 + x
        if u == 1.0:
            return x
        return math.log(u) * x / (u - 1.0)
'''


PYTHON_ACTIVATIONS: dict[str, ActivationSource] = {
    "sigmoid": (lambda name, spec: f'''
def {name}(z):
    """1 / (1 + e^-z), without overflow (purenn.activations.sigmoid)."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
''', False, ""),
    "tanh": (lambda name, spec: f'''
{name} = math.tanh
''', False, ""),
    "relu": (lambda name, spec: f'''
def {name}(z):
    """max(0, z)."""
    return z if z > 0.0 else 0.0
''', False, ""),
    "leaky_relu": (lambda name, spec: f'''
def {name}(z):
    """z for z > 0, slope·z otherwise, slope = {number_literal(spec["slope"])}."""
    return z if z > 0.0 else {number_literal(spec["slope"])} * z
''', False, ""),
    "elu": (lambda name, spec: f'''
def {name}(z):
    """z for z > 0, α(e^z − 1) otherwise, α = {number_literal(spec["alpha"])}."""
    return z if z > 0.0 else {number_literal(spec["alpha"])} * math.expm1(z)
''', False, ""),
    "softplus": (lambda name, spec: f'''
def {name}(z):
    """ln(1 + e^z), as z + ln(1 + e^-z) for z > 0 so that nothing overflows."""
    if z > 0.0:
        return z + log1p(math.exp(-z))
    return log1p(math.exp(z))
''', False, _LOG1P),
    "gelu": (lambda name, spec: f'''
def {name}(z):
    """z·Φ(z) = z·erfc(−z/√2)/2, the exact GELU."""
    return z * 0.5 * math.erfc(-z * 0.7071067811865476)
''', False, ""),
    "softmax": (lambda name, spec: f'''
def {name}(row):
    """e^(z_j − c) / Σ_k e^(z_k − c) for one row, c its largest entry."""
    shift = row[0]
    for value in row:
        if value > shift:
            shift = value
    exps = [math.exp(value - shift) for value in row]
    total = sum(exps)
    return [e / total for e in exps]
''', True, ""),
}
"""Registered activation name → (source of the function, given its name and the spec;
whether it takes whole rows; prelude code it needs).  "identity" needs none: it has no line."""


class Source:
    """The file being written: its functions (each once) and the lines of ``predict``."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.functions: dict[str, str] = {}  # spec text → function name
        self.blocks: list[str] = []  # preludes and function sources, in order of need
        self.data: list[str] = []  # the weights
        self.steps: list[str] = []  # the body of predict, after the input checks

    def activation_step(self, activation: Activation, label: str) -> None:
        """Add the line of ``predict`` applying ``activation`` (and its function, once)."""
        spec = spec_of(activation, ACTIVATIONS, label, self.where)
        family = spec["name"]
        if family == "identity":
            return
        if family not in PYTHON_ACTIVATIONS:
            raise ConfigurationError(
                f"{self.where}: {label} {family!r} has no Python form (no entry in "
                "purenn.formats.pysource.PYTHON_ACTIVATIONS)"
            )
        template, whole_rows, prelude = PYTHON_ACTIVATIONS[family]
        key = repr(sorted(spec.items()))
        if key not in self.functions:
            taken = sum(name.split("_v")[0] == family for name in self.functions.values())
            name = family if taken == 0 else f"{family}_v{taken + 1}"
            self.functions[key] = name
            if prelude and prelude not in self.blocks:
                self.blocks.append(prelude)
            self.blocks.append(template(name, spec))
        name = self.functions[key]
        if whole_rows:
            self.steps.append(f"x = [{name}(row) for row in x]")
        else:
            self.steps.append(f"x = [[{name}(z) for z in row] for row in x]")


def _literal_lines(values: Sequence[float], indent: str) -> list[str]:
    """``values`` as the inside of a list literal, wrapped at LINE_WIDTH."""
    lines, line = [], indent
    for text in (f"{number_literal(value)}," for value in values):
        if len(line) + len(text) + 1 > LINE_WIDTH and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += text + " "
    lines.append(line.rstrip())
    return lines


def list_statements(target: str, values: Sequence[float], first: str) -> list[str]:
    """Statements building the list ``values``: ``first`` (e.g. "X = " or "X.append(") opens
    the first chunk; later chunks extend ``target``."""
    closing = ")" if first.endswith("(") else ""
    statements = []
    for start in range(0, len(values), CHUNK):
        opening = first if start == 0 else f"{target}.extend("
        close = closing if start == 0 else ")"
        chunk = values[start: start + CHUNK]
        one_line = f"{opening}[{', '.join(number_literal(value) for value in chunk)}]{close}"
        if len(one_line) <= LINE_WIDTH:
            statements.append(one_line)
        else:
            body = _literal_lines(chunk, "    ")
            statements.append("\n".join([f"{opening}[", *body, f"]{close}"]))
    return statements


def add_blocks(source: Source, *blocks: str) -> None:
    """Add each helper once, in order of need."""
    for block in blocks:
        if block not in source.blocks:
            source.blocks.append(block)
