"""A network's parameters as NumPy arrays in PyTorch's layout: ``export_npz``, ``import_npz``.

The file is an .npz archive (``purenn.formats.npy``) that ``numpy.load`` reads as it is.  Each
array is named as in ``Network.state_dict()`` ("layers.0.weight", "layers.0.bias", …), which are
also the names PyTorch gives the parameters of a module keeping its layers in a
``ModuleList`` called ``layers``, and each is laid out as PyTorch lays out that parameter:

    purenn                         in the file, as PyTorch has it
    Dense W   n_in × n_out         nn.Linear.weight   (n_out, n_in)   W transposed
    Dense b   1 × n_out            nn.Linear.bias     (n_out,)        a vector
    Conv2D W  F × C·kh·kw          nn.Conv2d.weight   (F, C, kh, kw)  the same values, reshaped
    Conv2D b  1 × F                nn.Conv2d.bias     (F,)            a vector
    BatchNorm γ, β                 .weight, .bias     (C,)            vectors
    BatchNorm running_mean, _var   the same names     (C,)            vectors (buffers)
    BatchNorm num_batches_tracked  the same name      ()              an int64 scalar
    Normalization mean, std        the same names     (n,)            vectors (buffers)

(pooling, Flatten and Dropout have no parameters; PyTorch's nn.MaxPool2d, nn.AvgPool2d,
nn.Flatten and nn.Dropout have none either, and purenn's channel-major rows are what nn.Flatten
makes of (C, H, W).  purenn's BatchNorm is PyTorch's nn.BatchNorm1d for vectors and
nn.BatchNorm2d for images, whose state dicts hold these five entries.  PyTorch has no
Normalization module: a module computing (x - mean) / std from two registered buffers of
those names takes its two entries.)

PyTorch's ``nn.Linear`` computes y = x·Wᵀ + b with its W stored out × in; purenn computes
Z = X·W + b with W stored in × out.  The transposes happen here, in both directions, so the
arrays can go straight into ``torch_module.load_state_dict`` (float64 tensors) and a state dict
saved from PyTorch through NumPy comes straight in.  The values are float64, so a model moves
between the two with its predictions equal to rounding (~1e-15 relative), not bit for bit:
the two sum their dot products in different orders.

``TORCH_LAYOUTS`` is the one table that knows the layouts: layer class → {state name: Layout}.
A new layer type is one entry there: a Layout for each of its state entries, whose
``torch_shape`` may read the layer's arguments (as ``Kernels`` does).  The table is also the
format's declaration (``purenn.formats.support``): a layer of any other class is refused by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from purenn.arguments import shown
from purenn.errors import ConfigurationError, PurennError
from purenn.formats.checks import fail
from purenn.formats.files import file_path, read_bytes, write_atomically
from purenn.formats.npy import npz_bytes, parse_npz
from purenn.formats.support import check_layers, declare_layers
from purenn.layers import Dense, Layer
from purenn.layers.batchnorm import BatchNorm
from purenn.layers.conv import Conv2D
from purenn.layers.dropout import Dropout
from purenn.layers.flatten import Flatten
from purenn.layers.normalization import Normalization
from purenn.layers.pooling import AvgPool2D, MaxPool2D
from purenn.matrix import format_shape
from purenn.network import Network

if TYPE_CHECKING:
    from typing import Any, Tuple

    from purenn.formats.files import PathLike
    from purenn.formats.npy import Array
    from purenn.kernels import Matrix

    Shape = Tuple[int, ...]

__all__ = [
    "Layout", "Transposed", "Kernels", "Vector", "Count", "TORCH_LAYOUTS", "export_npz",
    "import_npz",
]


class Layout:
    """How one state entry (a purenn matrix) maps to PyTorch's tensor and back.  ``layer`` is
    passed for layouts whose shape depends on the layer's arguments (a kernel's size).

    >>> TORCH_LAYOUTS[Dense]["weight"].torch_shape(3, 2, Dense(3, 2))   # nn.Linear's (out, in)
    (2, 3)
    """

    def torch_shape(self, rows: int, columns: int, layer: Layer) -> Shape:
        """PyTorch's shape for a purenn matrix of rows × columns.

        >>> Vector().torch_shape(1, 4, Dense(3, 4))        # a subclass's shape
        (4,)
        """
        raise NotImplementedError

    def to_torch(self, matrix: Matrix, layer: Layer) -> list[float]:
        """The matrix's values in the order of PyTorch's tensor (C order).

        >>> Vector().to_torch([[1.0, 2.0]], Dense(3, 2))   # a subclass's values
        [1.0, 2.0]
        """
        raise NotImplementedError

    def from_torch(self, values: list[float], rows: int, columns: int) -> Matrix:
        """The rows × columns purenn matrix from PyTorch's values (C order).

        >>> Vector().from_torch([1.0, 2.0], 1, 2)          # a subclass's matrix
        [[1.0, 2.0]]
        """
        raise NotImplementedError


class Transposed(Layout):
    """A matrix that PyTorch stores transposed: purenn's r × c is PyTorch's (c, r).

    >>> layout = Transposed()
    >>> layout.to_torch([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], Dense(3, 2))
    [1.0, 3.0, 5.0, 2.0, 4.0, 6.0]
    """

    def torch_shape(self, rows: int, columns: int, layer: Layer) -> Shape:
        """(columns, rows).

        >>> Transposed().torch_shape(3, 2, Dense(3, 2))
        (2, 3)
        """
        return (columns, rows)

    def to_torch(self, matrix: Matrix, layer: Layer) -> list[float]:
        """The columns of the matrix, one after the other (the rows of its transpose).

        >>> Transposed().to_torch([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], Dense(3, 2))
        [1.0, 3.0, 5.0, 2.0, 4.0, 6.0]
        """
        return [value for column in zip(*matrix) for value in column]

    def from_torch(self, values: list[float], rows: int, columns: int) -> Matrix:
        """M_ij = values[j·rows + i]: the transpose of the C-order (columns, rows) array.

        >>> Transposed().from_torch([1.0, 3.0, 5.0, 2.0, 4.0, 6.0], 3, 2)
        [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
        """
        return [[values[j * rows + i] for j in range(columns)] for i in range(rows)]


class Kernels(Layout):
    """Convolution filters, one per row of purenn's F × C·kh·kw matrix, each row PyTorch's
    (C, kh, kw) kernel flattened in C order: PyTorch's (F, C, kh, kw) holds the same values in
    the same order, so only the shape changes.

    >>> Kernels().torch_shape(2, 9, Conv2D(1, 2, 3))     # F × C·kh·kw ↔ (F, C, kh, kw)
    (2, 1, 3, 3)
    """

    def torch_shape(self, rows: int, columns: int, layer: Layer) -> Shape:
        """(F, C, kh, kw), read from the layer's arguments.

        >>> Kernels().torch_shape(4, 18, Conv2D(2, 4, 3))
        (4, 2, 3, 3)
        """
        assert isinstance(layer, Conv2D)
        return (rows, layer.in_channels, *layer.kernel_size)

    def to_torch(self, matrix: Matrix, layer: Layer) -> list[float]:
        """The rows, one after the other.

        >>> Kernels().to_torch([[1.0, 2.0], [3.0, 4.0]], Conv2D(2, 2, 1))
        [1.0, 2.0, 3.0, 4.0]
        """
        return [value for row in matrix for value in row]

    def from_torch(self, values: list[float], rows: int, columns: int) -> Matrix:
        """Consecutive runs of ``columns`` values as rows.

        >>> Kernels().from_torch([1.0, 2.0, 3.0, 4.0], 2, 2)
        [[1.0, 2.0], [3.0, 4.0]]
        """
        return [values[i * columns: (i + 1) * columns] for i in range(rows)]


class Vector(Layout):
    """A row (1 × c) that PyTorch stores as a vector of c values (a bias).

    >>> Vector().to_torch([[0.5, 0.25]], Dense(1, 2)), Vector().from_torch([0.5, 0.25], 1, 2)
    ([0.5, 0.25], [[0.5, 0.25]])
    """

    def torch_shape(self, rows: int, columns: int, layer: Layer) -> Shape:
        """(columns,).

        >>> Vector().torch_shape(1, 3, Dense(2, 3))
        (3,)
        """
        return (columns,)

    def to_torch(self, matrix: Matrix, layer: Layer) -> list[float]:
        """The row's values.

        >>> Vector().to_torch([[0.5, 0.25]], Dense(1, 2))
        [0.5, 0.25]
        """
        return list(matrix[0])

    def from_torch(self, values: list[float], rows: int, columns: int) -> Matrix:
        """[values].

        >>> Vector().from_torch([0.5, 0.25], 1, 2)
        [[0.5, 0.25]]
        """
        return [list(values)]


class Count(Layout):
    """A count (1 × 1, held as a float) that PyTorch stores as an int64 scalar of shape ().

    >>> Count().to_torch([[3.0]], BatchNorm(2)), Count().from_torch([3], 1, 1)
    ([3], [[3.0]])
    """

    def torch_shape(self, rows: int, columns: int, layer: Layer) -> Shape:
        """(), a scalar.

        >>> Count().torch_shape(1, 1, BatchNorm(2))
        ()
        """
        return ()

    def to_torch(self, matrix: Matrix, layer: Layer) -> list[float]:
        """[the count as an int], which the archive writes as int64.

        >>> Count().to_torch([[7.0]], BatchNorm(2))
        [7]
        """
        return [int(matrix[0][0])]

    def from_torch(self, values: list[float], rows: int, columns: int) -> Matrix:
        """[[the count as a float]].

        >>> Count().from_torch([7], 1, 1)
        [[7.0]]
        """
        return [[float(values[0])]]


TORCH_LAYOUTS: dict[type, dict[str, Layout]] = {
    Dense: {"weight": Transposed(), "bias": Vector()},
    Conv2D: {"weight": Kernels(), "bias": Vector()},
    MaxPool2D: {},
    AvgPool2D: {},
    Flatten: {},
    Dropout: {},
    BatchNorm: {"weight": Vector(), "bias": Vector(), "running_mean": Vector(),
                "running_var": Vector(), "num_batches_tracked": Count()},
    Normalization: {"mean": Vector(), "std": Vector()},
}
"""Layer class → {name in the state dict after "layers.<i>.": its Layout}."""
declare_layers("export_npz", TORCH_LAYOUTS)


def _entries(network: Network, where: str) -> list[tuple[str, Layout, Layer]]:
    """(state key, layout, layer) for every state entry of ``network``, in state_dict order."""
    check_layers(network, "export_npz", where)
    state = network.state_dict()
    entries = []
    for index, layer in enumerate(network.layers):
        for name, layout in TORCH_LAYOUTS[type(layer)].items():
            if f"layers.{index}.{name}" in state:
                entries.append((f"layers.{index}.{name}", layout, layer))
    if [key for key, _, _ in entries] != list(state):
        raise ConfigurationError(f"{where}: the layouts do not cover the state {list(state)}")
    return entries


def export_npz(network: Network, path: PathLike) -> None:
    """Write every parameter and buffer of ``network`` to the .npz archive ``path``, named and
    laid out as PyTorch names and lays it out (the table in the module docstring), as float64
    (a count of batches as int64).  The write
    is atomic.  Raises ModelFormatError for a layer type with no layout (naming the formats
    that take it), OSError if the file cannot be written.

    In PyTorch, with the same layers kept in ``self.layers``::

        state = {k: torch.from_numpy(v) for k, v in numpy.load(path).items()}
        torch_module.double().load_state_dict(state)

    >>> import os, tempfile, zipfile
    >>> import purenn as pn
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> pn.export_npz(pn.Network([pn.Dense(3, 2)], seed=0), path)
    >>> zipfile.ZipFile(path).namelist()
    ['layers.0.weight.npy', 'layers.0.bias.npy']
    """
    where = "export_npz"
    target = file_path(path, where)
    if not isinstance(network, Network):
        raise ConfigurationError(f"{where}: expected a Network, got {shown(network)}")
    state = network.state_dict()
    arrays: dict[str, Array] = {}
    for key, layout, layer in _entries(network, where):
        rows, columns = len(state[key]), len(state[key][0])
        arrays[key] = (layout.torch_shape(rows, columns, layer), layout.to_torch(state[key], layer))
    write_atomically(target, npz_bytes(arrays))


def _describe_shape(shape: Shape) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def _listed(names: list[str]) -> str:
    """The names, comma-separated, cut to ~60 characters (an archive's names are anyone's)."""
    text = ", ".join(names) or "nothing"
    return text if len(text) <= 60 else text[:59] + "…"


def _check_shapes(
    shapes: dict[str, Shape], wanted: dict[str, Shape], state: dict[str, Matrix], where: str
) -> None:
    """ModelFormatError unless the archive's arrays (name → shape, from their headers) are
    exactly the network's state entries, each in PyTorch's shape for it."""
    missing = [key for key in wanted if key not in shapes]
    unexpected = [key for key in shapes if key not in wanted]
    if missing or unexpected:
        fail(where, f"missing {', '.join(missing) or 'nothing'}; unexpected "
                    f"{_listed(unexpected)} (the network "
                    f"has {', '.join(wanted)})")
    for key, shape in shapes.items():
        if shape != wanted[key]:
            rows, columns = len(state[key]), len(state[key][0])
            fail(where, f"{key} is {_describe_shape(shape)} but this network needs "
                        f"{_describe_shape(wanted[key])} (PyTorch's layout of purenn's "
                        f"{format_shape((rows, columns))})")


def import_npz(network: Network, path: PathLike) -> None:
    """Set every parameter and buffer of ``network`` from the .npz archive ``path``, as
    ``export_npz`` writes it or NumPy saves a PyTorch state dict (PyTorch's names and layouts;
    float64, float32 or int64).  All or nothing: the whole file is checked against the network
    first.

    Raises ModelFormatError naming the file and the array for a damaged archive, a missing or
    unexpected array, a shape that does not fit (with both shapes), or a NaN or infinite
    value; OSError if the file cannot be read.

    >>> import os, tempfile
    >>> import purenn as pn
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> source = pn.Network([pn.Dense(3, 2, "tanh")], seed=0)
    >>> pn.export_npz(source, path)
    >>> target = pn.Network([pn.Dense(3, 2, "tanh")], seed=1)
    >>> pn.import_npz(target, path)
    >>> target.predict([[1, 2, 3]]) == source.predict([[1, 2, 3]])
    True
    """
    where = "import_npz"
    if not isinstance(network, Network):
        raise ConfigurationError(f"{where}: expected a Network, got {shown(network)}")
    target = file_path(path, where)
    where = f"{where}: {target}"
    entries = _entries(network, where)
    state = network.state_dict()
    wanted = {key: layout.torch_shape(len(state[key]), len(state[key][0]), layer)
              for key, layout, layer in entries}

    def check(shapes: dict[str, Shape]) -> None:
        _check_shapes(shapes, wanted, state, where)

    arrays = parse_npz(read_bytes(target), where, check)
    new_state: dict[str, Any] = {}
    for key, layout, _ in entries:
        new_state[key] = layout.from_torch(arrays[key][1], len(state[key]), len(state[key][0]))
    try:
        network.load_state_dict(new_state)
    except PurennError as error:
        fail(where, str(error))
