"""A network as one standalone Python file: ``export_python``, ``python_source``.

The file imports only ``math``, holds the weights as float literals (``repr``, which reads back as
the same float), and defines ``predict(rows)``: a list of rows of N_IN numbers in, a list of rows
of N_OUT floats out, as ``net.predict``.  It runs on CPython 3.8+, PyPy and MicroPython, where
purenn itself may not.

Bit for bit: run on the interpreter that runs purenn, ``predict`` gives exactly
``net.predict``, because it performs the same floating-point operations in the same order:

* every entry of Z = X·W + b is ``dot(row, column of W) + b_j`` (of a convolution:
  ``dot(filter, receptive field) + b_f``, the fields gathered by purenn's index tables, which
  the file computes when it is imported), where ``dot`` is the arithmetic of purenn's kernels
  on that interpreter (``purenn.kernels.dot_reference``): ``sum(map(mul, row, column))``, a
  left-to-right sum, before CPython 3.12; on 3.12+, where the math module has ``sumprod``, the
  same left-to-right sum (written as a loop, since 3.12's ``sum`` is compensated) for rows of at
  most 16 numbers (``purenn.kernels.LONGEST_SHORT_ROW``) and ``math.sumprod`` for longer ones;
* every activation is purenn's scalar formula with the same branches and the same order of
  operations (``PYTHON_ACTIVATIONS``), calling ``math.exp``, ``tanh``, ``expm1``, ``log1p`` and
  ``erfc`` as ``purenn.scalar`` does for real numbers;
* a max pool takes ``max`` of each window (the first of equal values), an average pool its
  ``sum`` divided by the count, and Flatten does nothing: the rows are already flat;
* the file predicts as ``net.predict`` does, in evaluation mode: Dropout does nothing, and
  BatchNorm computes γ·((x − μ)·k) + β per value of channel c, with the running mean μ, the
  factor k = 1/√(running_var + ε) purenn computed (written as a literal), γ and β.

MicroPython's floats are doubles too, but its ``math.tanh`` and ``math.exp`` differ from
CPython's in the last bit for some inputs, and it has no ``math.log1p`` (the file then defines
an accurate one): expect agreement to ~1e-15 there, not bit identity.  Its parser runs out of
stack on a list literal of a few thousand numbers, so the weights are written one column per
statement, and columns longer than ``CHUNK`` numbers in several statements.

``PYTHON_LAYERS`` (layer class → the code of its data and its line in ``predict``) and
``PYTHON_ACTIVATIONS`` (registered activation name → its function's source) are the tables a new
layer type or activation extends.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from purenn.activations import ACTIVATIONS, Activation
from purenn.arguments import shown
from purenn.errors import ConfigurationError, DataError
from purenn.formats.files import file_path, write_atomically
from purenn.formats.literals import comment_text, docstring_text, ints_literal, number_literal
from purenn.formats.names import spec_of
from purenn.layers import Dense, Layer
from purenn.layers.batchnorm import BatchNorm, inverse_std
from purenn.layers.conv import Conv2D
from purenn.layers.dropout import Dropout
from purenn.layers.flatten import Flatten
from purenn.layers.pooling import AvgPool2D, MaxPool2D
from purenn.network import Network
from purenn.optimizers import all_finite

if TYPE_CHECKING:
    from typing import Callable, Dict, Sequence, Tuple

    from purenn.formats.files import PathLike

    # Each entry: (source of the function, given its name and the activation's spec; whether it
    # is applied to whole rows rather than to each entry; extra prelude it needs).
    ActivationSource = Tuple[Callable[[str, Dict[str, float]], str], bool, str]

__all__ = ["CHUNK", "PYTHON_ACTIVATIONS", "PYTHON_LAYERS", "python_source", "export_python"]

CHUNK = 500  # numbers per list literal (MicroPython fails at ~2,500 in one literal)
LINE_WIDTH = 100

_PRELUDE = '''
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
                "purenn.formats.standalone.PYTHON_ACTIVATIONS)"
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


def _list_statements(target: str, values: Sequence[float], first: str) -> list[str]:
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


def _dense(source: Source, layer: Layer, index: int) -> None:
    """W as its columns, one statement each, b as a list; the dense step; the activation."""
    assert isinstance(layer, Dense)
    columns_name, bias_name = f"LAYER{index}_COLUMNS", f"LAYER{index}_BIAS"
    rows, columns = layer.weights.shape
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# W ({rows} × {columns}) "
                       "by columns: column j holds the weights into output j; then b")
    source.data.append(f"{columns_name} = []")
    for column in zip(*layer.weights.value):
        source.data.extend(_list_statements(f"{columns_name}[-1]", column,
                                            f"{columns_name}.append("))
    if layer.bias is None:
        source.data.append(f"{bias_name} = None")
    else:
        source.data.extend(_list_statements(bias_name, layer.bias.value[0], f"{bias_name} = "))
    source.steps.append(f"x = dense(x, {columns_name}, {bias_name})")
    source.activation_step(layer.activation, f"layers[{index}].activation")


_WINDOWS = '''
def plane_windows(height, width, kernel, stride, padding):
    """For each output position, row-major, the indices i·W + j of the cells its window covers
    in one H × W plane, −1 in the padding (purenn.layers.im2col.plane_windows)."""
    out_rows = (height + 2 * padding[0] - kernel[0]) // stride[0] + 1
    out_columns = (width + 2 * padding[1] - kernel[1]) // stride[1] + 1
    windows = []
    for oi in range(out_rows):
        rows = [oi * stride[0] + ki - padding[0] for ki in range(kernel[0])]
        for oj in range(out_columns):
            columns = [oj * stride[1] + kj - padding[1] for kj in range(kernel[1])]
            windows.append([i * width + j if 0 <= i < height and 0 <= j < width else -1
                            for i in rows for j in columns])
    return windows
'''

_CONVOLUTION = '''
def convolution_table(shape, kernel, stride, padding):
    """For each output position, the C·kh·kw input indices of its receptive field, channel by
    channel; C·H·W (where the image is extended by a 0) for a padding cell."""
    channels, height, width = shape
    plane = height * width
    pad = channels * plane
    return [[c * plane + cell if cell >= 0 else pad for c in range(channels) for cell in window]
            for window in plane_windows(height, width, kernel, stride, padding)]


def conv2d(rows, table, filters, bias):
    """Z_n = W·cols_nᵀ + b, channel-major: Z_n[f, p] = dot(filter f, cols_n[p]) + b_f, with
    cols_n[p] the image at table[p] (purenn.layers.conv.Conv2D)."""
    out = []
    for image in rows:
        padded = image + [0.0]
        columns = [[padded[i] for i in window] for window in table]
        z = []
        if bias is None:
            for kernel in filters:
                z.extend([dot(kernel, column) for column in columns])
        else:
            for kernel, b in zip(filters, bias):
                z.extend([dot(kernel, column) + b for column in columns])
        out.append(z)
    return out
'''

_POOLING = '''
def pooling_table(shape, kernel, stride):
    """For each output (c, oi, oj), channel-major, the input indices of its window."""
    channels, height, width = shape
    windows = plane_windows(height, width, kernel, stride, (0, 0))
    plane = height * width
    return [[c * plane + cell for cell in window] for c in range(channels) for window in windows]
'''

_MAX_POOL = '''
def max_pool(rows, table):
    """Each window's largest value, the first of equal ones (purenn.layers.pooling.MaxPool2D)."""
    return [[max([image[i] for i in window]) for window in table] for image in rows]
'''

_AVG_POOL = '''
def avg_pool(rows, table, count):
    """Each window's sum divided by its count of cells (purenn.layers.pooling.AvgPool2D)."""
    return [[sum([image[i] for i in window]) / count for window in table] for image in rows]
'''


def _add_blocks(source: Source, *blocks: str) -> None:
    """Add each helper once, in order of need."""
    for block in blocks:
        if block not in source.blocks:
            source.blocks.append(block)


def _conv(source: Source, layer: Layer, index: int) -> None:
    """Its receptive fields (computed when the file is imported), filters, bias; the step."""
    assert isinstance(layer, Conv2D) and layer.input_shape is not None
    _add_blocks(source, _WINDOWS, _CONVOLUTION)
    names = f"LAYER{index}_TABLE", f"LAYER{index}_FILTERS", f"LAYER{index}_BIAS"
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# its receptive fields, "
                       "W (one filter of C·kh·kw weights per row), then b")
    source.data.append(f"{names[0]} = convolution_table({ints_literal(layer.input_shape)}, "
                       f"{ints_literal(layer.kernel_size)}, {ints_literal(layer.stride)}, "
                       f"{ints_literal(layer.padding)})")
    source.data.append(f"{names[1]} = []")
    for kernel in layer.weights.value:
        source.data.extend(_list_statements(f"{names[1]}[-1]", kernel, f"{names[1]}.append("))
    if layer.bias is None:
        source.data.append(f"{names[2]} = None")
    else:
        source.data.extend(_list_statements(names[2], layer.bias.value[0], f"{names[2]} = "))
    source.steps.append(f"x = conv2d(x, {', '.join(names)})")
    source.activation_step(layer.activation, f"layers[{index}].activation")


def _pool(source: Source, layer: Layer, index: int) -> None:
    """Its windows (computed when the file is imported) and the step."""
    assert isinstance(layer, (MaxPool2D, AvgPool2D)) and layer.input_shape is not None
    is_max = isinstance(layer, MaxPool2D)
    _add_blocks(source, _WINDOWS, _POOLING, _MAX_POOL if is_max else _AVG_POOL)
    table = f"LAYER{index}_TABLE"
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}")
    source.data.append(f"{table} = pooling_table({ints_literal(layer.input_shape)}, "
                       f"{ints_literal(layer.pool_size)}, {ints_literal(layer.stride)})")
    count = layer.pool_size[0] * layer.pool_size[1]
    source.steps.append(f"x = max_pool(x, {table})" if is_max
                        else f"x = avg_pool(x, {table}, {count})")


def _flatten(source: Source, layer: Layer, index: int) -> None:
    """Nothing: a row already holds the image channel-major.  Dropout's form too: the file
    predicts in evaluation mode, where dropout is the identity."""


_BATCH_NORM = '''
def batch_norm(rows, positions, mean, factor, gamma, beta):
    """Evaluation mode: each value x of channel c becomes gamma_c·((x − mean_c)·factor_c) +
    beta_c, a channel being ``positions`` consecutive values (purenn.layers.batchnorm.BatchNorm)."""
    out = []
    for row in rows:
        z = []
        for c in range(len(mean)):
            m, k, g, b = mean[c], factor[c], gamma[c], beta[c]
            z.extend([g * ((x - m) * k) + b for x in row[c * positions:(c + 1) * positions]])
        out.append(z)
    return out
'''


def _batchnorm(source: Source, layer: Layer, index: int) -> None:
    """Its running mean, factors k, γ and β as lists; the step; the activation."""
    assert isinstance(layer, BatchNorm)
    _add_blocks(source, _BATCH_NORM)
    names = [f"LAYER{index}_{part}" for part in ("MEAN", "FACTOR", "GAMMA", "BETA")]
    values = [layer.running_mean.value[0], inverse_std(layer.running_var.value[0], layer.eps),
              layer.gamma.value[0], layer.beta.value[0]]
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# per channel: the running "
                       "mean, k = 1/√(running variance + ε), γ, β")
    for name, row in zip(names, values):
        source.data.extend(_list_statements(name, row, f"{name} = "))
    source.steps.append(f"x = batch_norm(x, {layer.positions}, {', '.join(names)})")
    source.activation_step(layer.activation, f"layers[{index}].activation")


PYTHON_LAYERS: dict[type, Callable[[Source, Layer, int], None]] = {
    Dense: _dense,
    Conv2D: _conv,
    MaxPool2D: _pool,
    AvgPool2D: _pool,
    Flatten: _flatten,
    Dropout: _flatten,
    BatchNorm: _batchnorm,
}
"""Layer class → the function adding the layer's data, its functions and its steps."""


def _predict(steps: Sequence[str]) -> str:
    body = "\n".join(f"    {step}" for step in steps)
    return f'''
def predict(rows):
    """The network's outputs for ``rows`` (a list of rows of N_IN numbers): a list of rows of
    N_OUT floats, one per row, as purenn's net.predict."""
    x = [[float(value) for value in row] for row in rows]
    for index, row in enumerate(x):
        if len(row) != N_IN:
            raise ValueError("predict: row %d has %d numbers; the network takes %d"
                             % (index, len(row), N_IN))
{body}
    return x
'''


def python_source(network: Network) -> str:
    """The text of the standalone file for ``network`` (the module docstring says what it
    holds and why it predicts bit for bit).

    Raises ConfigurationError for a layer or activation with no Python form (a custom one) and
    DataError for a NaN or infinite weight.

    >>> import purenn as pn
    >>> net = pn.Network([pn.Dense(2, 1, "sigmoid")], seed=0)
    >>> namespace = {}
    >>> exec(python_source(net), namespace)
    >>> namespace["predict"]([[1, 2]]) == net.predict([[1, 2]])
    True
    """
    where = "export_python"
    if not isinstance(network, Network):
        raise ConfigurationError(f"{where}: expected a Network, got {shown(network)}")
    for key, value in network.state_dict().items():
        if not all_finite(value):
            raise DataError(f"{where}: {key} holds a NaN or infinite value")
    source = Source(where)
    for index, layer in enumerate(network.layers):
        emit = PYTHON_LAYERS.get(type(layer))
        if emit is None:
            raise ConfigurationError(
                f"{where}: layers[{index}] is a {type(layer).__name__}, which has no Python "
                "form (no entry in purenn.formats.standalone.PYTHON_LAYERS)"
            )
        emit(source, layer, index)
    header = (
        f'"""{docstring_text(textwrap.fill(repr(network), LINE_WIDTH - 4))}\n'
        "exported by purenn as standalone Python: predict(rows) gives its "
        "outputs.\n\nIt needs only the math module and runs on CPython 3.8+, PyPy and "
        "MicroPython.  On the\ninterpreter that runs purenn it predicts exactly what purenn "
        'predicts, bit for bit.\n"""\n'
    )
    sizes = f"\nN_IN = {network.n_in}\nN_OUT = {network.n_out}\n"
    parts = [header, _PRELUDE, *source.blocks, sizes, "\n" + "\n".join(source.data) + "\n",
             _predict(source.steps)]
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


def export_python(network: Network, path: PathLike) -> None:
    """Write ``python_source(network)`` to ``path`` (atomically, UTF-8): a standalone file
    whose ``predict(rows)`` is ``network.predict``.  Copy it to a device running MicroPython,
    or import it anywhere: ``from model import predict``.

    Raises as ``python_source`` does, and OSError if the file cannot be written.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> path = os.path.join(tempfile.mkdtemp(), "model.py")
    >>> pn.export_python(pn.Network([pn.Dense(3, 2, "tanh")], seed=0), path)
    >>> open(path).read().count("import")
    1
    """
    target = file_path(path, "export_python")
    write_atomically(target, python_source(network).encode("utf-8"))
