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

Normalization computes (x − μ)/σ per feature (inverted: x·σ + μ), as purenn, so the file
predicts from raw rows.

For a classifier the file also defines ``predict_proba(rows)`` (one probability per class:
the softmax of logits for cross-entropy, [1 − p, p] for one sigmoid output, the outputs
themselves otherwise, as ``Network.predict_proba``) and ``predict_labels(rows)`` (each row's
class, by CLASS_NAMES when the exporter was given the names, else its index).

``PYTHON_LAYERS`` (layer class → the code of its data and its line in ``predict``) and
``purenn.formats.pysource.PYTHON_ACTIVATIONS`` (registered activation name → its function's
source) are the tables a new layer type or activation extends; ``purenn.formats.pysource`` holds
the parts that do not depend on the layers.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, DataError
from purenn.formats.files import file_path, write_atomically
from purenn.formats.literals import comment_text, docstring_text, ints_literal
from purenn.formats.onnx import check_class_names
from purenn.formats.pysource import (
    LINE_WIDTH,
    PRELUDE,
    PYTHON_ACTIVATIONS,
    Source,
    add_blocks,
    list_statements,
)
from purenn.formats.support import check_layers, declare_layers
from purenn.layers import Dense, Layer
from purenn.layers.batchnorm import BatchNorm, inverse_std
from purenn.layers.conv import Conv2D
from purenn.layers.dropout import Dropout
from purenn.layers.flatten import Flatten
from purenn.layers.normalization import Normalization
from purenn.layers.pooling import AvgPool2D, MaxPool2D
from purenn.metrics import BINARY_THRESHOLD, gives_class_scores
from purenn.network import Network
from purenn.optimizers import all_finite

if TYPE_CHECKING:
    from typing import Callable, Sequence

    from purenn.formats.files import PathLike

__all__ = ["PYTHON_LAYERS", "python_source", "export_python"]



def _dense(source: Source, layer: Layer, index: int) -> None:
    """W as its columns, one statement each, b as a list; the dense step; the activation."""
    assert isinstance(layer, Dense)
    columns_name, bias_name = f"LAYER{index}_COLUMNS", f"LAYER{index}_BIAS"
    rows, columns = layer.weights.shape
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# W ({rows} × {columns}) "
                       "by columns: column j holds the weights into output j; then b")
    source.data.append(f"{columns_name} = []")
    for column in zip(*layer.weights.value):
        source.data.extend(list_statements(f"{columns_name}[-1]", column,
                                            f"{columns_name}.append("))
    if layer.bias is None:
        source.data.append(f"{bias_name} = None")
    else:
        source.data.extend(list_statements(bias_name, layer.bias.value[0], f"{bias_name} = "))
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


def _conv(source: Source, layer: Layer, index: int) -> None:
    """Its receptive fields (computed when the file is imported), filters, bias; the step."""
    assert isinstance(layer, Conv2D) and layer.input_shape is not None
    add_blocks(source, _WINDOWS, _CONVOLUTION)
    names = f"LAYER{index}_TABLE", f"LAYER{index}_FILTERS", f"LAYER{index}_BIAS"
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# its receptive fields, "
                       "W (one filter of C·kh·kw weights per row), then b")
    source.data.append(f"{names[0]} = convolution_table({ints_literal(layer.input_shape)}, "
                       f"{ints_literal(layer.kernel_size)}, {ints_literal(layer.stride)}, "
                       f"{ints_literal(layer.padding)})")
    source.data.append(f"{names[1]} = []")
    for kernel in layer.weights.value:
        source.data.extend(list_statements(f"{names[1]}[-1]", kernel, f"{names[1]}.append("))
    if layer.bias is None:
        source.data.append(f"{names[2]} = None")
    else:
        source.data.extend(list_statements(names[2], layer.bias.value[0], f"{names[2]} = "))
    source.steps.append(f"x = conv2d(x, {', '.join(names)})")
    source.activation_step(layer.activation, f"layers[{index}].activation")


def _pool(source: Source, layer: Layer, index: int) -> None:
    """Its windows (computed when the file is imported) and the step."""
    assert isinstance(layer, (MaxPool2D, AvgPool2D)) and layer.input_shape is not None
    is_max = isinstance(layer, MaxPool2D)
    add_blocks(source, _WINDOWS, _POOLING, _MAX_POOL if is_max else _AVG_POOL)
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
    add_blocks(source, _BATCH_NORM)
    names = [f"LAYER{index}_{part}" for part in ("MEAN", "FACTOR", "GAMMA", "BETA")]
    values = [layer.running_mean.value[0], inverse_std(layer.running_var.value[0], layer.eps),
              layer.gamma.value[0], layer.beta.value[0]]
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# per channel: the running "
                       "mean, k = 1/√(running variance + ε), γ, β")
    for name, row in zip(names, values):
        source.data.extend(list_statements(name, row, f"{name} = "))
    source.steps.append(f"x = batch_norm(x, {layer.positions}, {', '.join(names)})")
    source.activation_step(layer.activation, f"layers[{index}].activation")


_NORMALIZATION = '''
def normalization(rows, mean, std):
    """Each feature x_j becomes (x_j − mean_j) / std_j (purenn.layers.normalization)."""
    return [[(x - m) / s for x, m, s in zip(row, mean, std)] for row in rows]
'''

_DENORMALIZATION = '''
def denormalization(rows, mean, std):
    """Each value x_j becomes x_j·std_j + mean_j: Normalization(invert=True)."""
    return [[x * s + m for x, m, s in zip(row, mean, std)] for row in rows]
'''


def _normalization(source: Source, layer: Layer, index: int) -> None:
    """Its mean and standard deviation as lists; the step."""
    assert isinstance(layer, Normalization)
    add_blocks(source, _DENORMALIZATION if layer.invert else _NORMALIZATION)
    names = f"LAYER{index}_MEAN", f"LAYER{index}_STD"
    source.data.append(f"\n# layers[{index}]: {comment_text(layer)}\n# per feature: the mean, "
                       "the standard deviation")
    for name, row in zip(names, (layer.mean.value[0], layer.std.value[0])):
        source.data.extend(list_statements(name, row, f"{name} = "))
    function = "denormalization" if layer.invert else "normalization"
    source.steps.append(f"x = {function}(x, {', '.join(names)})")


PYTHON_LAYERS: dict[type, Callable[[Source, Layer, int], None]] = {
    Dense: _dense,
    Conv2D: _conv,
    MaxPool2D: _pool,
    AvgPool2D: _pool,
    Flatten: _flatten,
    Dropout: _flatten,
    BatchNorm: _batchnorm,
    Normalization: _normalization,
}
"""Layer class → the function adding the layer's data, its functions and its steps."""
declare_layers("export_python", PYTHON_LAYERS)


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


def _classifier(network: Network, class_names: list[str] | None) -> str:
    """predict_proba and predict_labels, as Network.predict_proba and predict_classes compute
    them (purenn.metrics.probabilities and predicted_classes); "" for a network that
    regresses."""
    loss = network.loss_function
    if not gives_class_scores(loss, network.layers[-1].output_range()):
        return ""
    if loss.takes_logits:
        helper = PYTHON_ACTIVATIONS["softmax"][0]("_softmax", {}).strip("\n") + "\n\n\n"
        proba, pick = "[_softmax(row) for row in predict(rows)]", "_argmax(row)"
    elif network.n_out == 1:
        helper = ""
        proba = "[[1.0 - row[0], row[0]] for row in predict(rows)]"
        pick = f"1 if row[0] > {BINARY_THRESHOLD!r} else 0"
    else:
        helper, proba, pick = "", "predict(rows)", "_argmax(row)"
    return f'''CLASS_NAMES = {class_names!r}


{helper}def _argmax(row):
    """The index of the largest entry, the first of equal ones."""
    best = 0
    for index, value in enumerate(row):
        if value > row[best]:
            best = index
    return best


def predict_proba(rows):
    """One probability per class for each row, as purenn's net.predict_proba."""
    return {proba}


def predict_labels(rows):
    """Each row's class: its name in CLASS_NAMES, or its index when the file has no names."""
    classes = [{pick} for row in predict(rows)]
    if CLASS_NAMES is None:
        return classes
    return [CLASS_NAMES[c] for c in classes]
'''


def python_source(network: Network, class_names: Sequence[str] | None = None) -> str:
    """The text of the standalone file for ``network`` (the module docstring says what it
    holds and why it predicts bit for bit).

    A classifier's file also has predict_proba and predict_labels, the latter naming the
    classes by ``class_names`` when given (one per output, or two for one sigmoid output).

    Raises ModelFormatError for a layer with no Python form (naming the formats that take it),
    ConfigurationError for an activation with none (a custom one) or class names that do not
    fit, and DataError for a NaN or infinite weight.

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
    names = check_class_names(network, class_names, where)
    for key, value in network.state_dict().items():
        if not all_finite(value):
            raise DataError(f"{where}: {key} holds a NaN or infinite value")
    check_layers(network, "export_python", where)
    source = Source(where)
    for index, layer in enumerate(network.layers):
        PYTHON_LAYERS[type(layer)](source, layer, index)
    header = (
        f'"""{docstring_text(textwrap.fill(repr(network), LINE_WIDTH - 4))}\n'
        "exported by purenn as standalone Python: predict(rows) gives its "
        "outputs.\n\nIt needs only the math module and runs on CPython 3.8+, PyPy and "
        "MicroPython.  On the\ninterpreter that runs purenn it predicts exactly what purenn "
        'predicts, bit for bit.\n"""\n'
    )
    sizes = f"\nN_IN = {network.n_in}\nN_OUT = {network.n_out}\n"
    parts = [header, PRELUDE, *source.blocks, sizes, "\n" + "\n".join(source.data) + "\n",
             _predict(source.steps), _classifier(network, names)]
    return "\n\n\n".join(part.strip("\n") for part in parts if part) + "\n"


def export_python(
    network: Network, path: PathLike, class_names: Sequence[str] | None = None
) -> None:
    """Write ``python_source(network, class_names)`` to ``path`` (atomically, UTF-8): a
    standalone file whose ``predict(rows)`` is ``network.predict`` (and for a classifier,
    ``predict_proba`` and ``predict_labels``).  Copy it to a device running MicroPython,
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
    write_atomically(target, python_source(network, class_names).encode("utf-8"))
