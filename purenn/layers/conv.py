"""Conv2D: a two-dimensional convolution, written as im2col and one matrix product per image.

A batch of images is a matrix with one row per image, C·H·W numbers channel-major
(see ``purenn.layers.im2col``).  For image n, filter f (of F = out_channels) and output
position (oi, oj):

    Z[n, f, oi, oj] = b_f + Σ_c Σ_ki Σ_kj W[f, c, ki, kj] · X[n, c, i, j],
                      i = oi·sh + ki − ph,  j = oj·sw + kj − pw
    A = act(Z)

with X taken as 0 in the padding.  The kernel is not flipped: like PyTorch's ``conv2d`` (and
every deep-learning library) this is a cross-correlation, which is what "convolution" means here.

The same sum as matrices.  im2col gathers the receptive field of each of the P = OH·OW output
positions into a row of cols_n (P × K, K = C·kh·kw), and W holds one filter per row (F × K,
PyTorch's weight of shape (F, C, kh, kw) flattened), so each image is one product through the
kernels, and its F × P result is already the output row, channel-major:

    Z_n = W · cols_nᵀ + b·1ᵀ                (F × P;  Z_n[f, p] = W_f · cols_n[p] + b_f)

A Conv2D is a Dense layer applied to every receptive field with shared weights, and the chain
rule reads as Dense's (δ = ∂L/∂Z, computed by the activation as there):

    ∂L/∂W   = Σ_n δ_n · cols_n          (F × K: as Dense's Xᵀδ, the receptive fields as inputs)
    ∂L/∂b_f = Σ_n Σ_p δ_n[f, p]         (the bias is added at every position of every image)
    ∂L/∂cols_n = δ_nᵀ · W               (P × K)
    ∂L/∂X_n = col2im(∂L/∂cols_n)        (each entry added back onto the pixel it came from)

For the batch, the δ_n are laid side by side (F × N·P) and the cols_n stacked (N·P × K), so
∂L/∂W is one product of long rows and ∂L/∂cols one more.  Everything is an addition, a
product or a look-up, so the forward pass is complex-safe.

What it does not do: dilation, groups, "same" padding by name, padding other than zeros.
"""

from __future__ import annotations

import random
from itertools import chain
from typing import TYPE_CHECKING

from purenn import kernels
from purenn.activations import ACTIVATIONS, Activation
from purenn.arguments import check_entries, check_flag, check_int
from purenn.errors import ShapeError, StateError
from purenn.initializers import INITIALIZERS
from purenn.layers.base import (
    ActivatedLayer,
    Parameter,
    check_built,
    check_declared,
    register_layer,
    sample_shape,
)
from purenn.layers.im2col import (
    Windows,
    convolution_table,
    format_pair,
    output_size,
    pair,
    window_fits,
)
from purenn.matrix import format_shape

if TYPE_CHECKING:
    from typing import Any

    from purenn.initializers import Initializer
    from purenn.kernels import Matrix
    from purenn.layers.base import SampleShape, StateShapes
    from purenn.layers.im2col import Pair

__all__ = ["Conv2D"]


@register_layer
class Conv2D(ActivatedLayer):
    """A 2-D convolution (cross-correlation) of C = ``in_channels`` images with F =
    ``out_channels`` filters of kh × kw, then an activation: Z_n = W·im2col(X_n)ᵀ + b, A = f(Z).

    ``kernel_size``, ``stride`` and ``padding`` (zeros on every side) are an int or an (h, w)
    pair.  ``activation``, ``bias`` and ``init`` are Dense's: the weights, F × C·kh·kw (one row
    per filter), are drawn by ``init`` with fan-in C·kh·kw when a Network takes the layer, and
    the bias (1 × F) starts at 0.  ``input_shape=(C, H, W)`` tells a first layer the shape of
    its images; a later one learns it from the layer below.  Output shape: (F, OH, OW) with
    OH = ⌊(H + 2ph − kh)/sh⌋ + 1, OW likewise.  After a forward pass ``cache`` holds
    (cols, Z, A): each image's receptive-field matrix, the pre-activation and the output.

    >>> layer = Conv2D(1, 1, 2, input_shape=(1, 3, 3))
    >>> layer.output_shape
    (1, 2, 2)
    >>> layer.weights.value = [[1.0, 0.0, 0.0, -1.0]]        # W[0, 0] = [[1, 0], [0, −1]]
    >>> layer.forward([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]])
    [[-4.0, -4.0, -4.0, -4.0]]
    """

    windows: Windows  # the receptive fields, compiled by build
    positions: int  # P = OH·OW output positions per filter

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Pair,
        stride: int | Pair = 1,
        padding: int | Pair = 0,
        activation: str | Activation = "identity",
        *,
        bias: bool = True,
        init: str | Initializer = "xavier_uniform",
        input_shape: SampleShape | None = None,
    ) -> None:
        where = "Conv2D"
        self.in_channels = check_int(in_channels, "in_channels", where, 1)
        self.out_channels = check_int(out_channels, "out_channels", where, 1)
        self.kernel_size = pair(kernel_size, "kernel_size", where, 1)
        self.stride = pair(stride, "stride", where, 1)
        self.padding = pair(padding, "padding", where, 0)
        self.activation = ACTIVATIONS.resolve(activation, where)
        self.init = INITIALIZERS.resolve(init, where)
        self.fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        check_entries(self.out_channels * self.fan_in, "the weights", where)
        self.weights = Parameter("weights", kernels.zeros(self.out_channels, self.fan_in))
        self.bias: Parameter | None = None
        if check_flag(bias, "bias", where):
            self.bias = Parameter("bias", kernels.zeros(1, self.out_channels))
        self.declared = None if input_shape is None else sample_shape(input_shape, where)
        self.cache: tuple[list[Matrix], Matrix, Matrix] | None = None
        if self.declared is not None:
            self.build(self.declared)

    # -- shapes ---------------------------------------------------------------------------------

    def declared_input_shape(self) -> SampleShape | None:
        """The ``input_shape`` the layer was given, or None.

        >>> Conv2D(1, 2, 3).declared_input_shape()
        >>> Conv2D(1, 2, 3, input_shape=(1, 8, 8)).declared_input_shape()
        (1, 8, 8)
        """
        return self.declared

    def build(self, input_shape: SampleShape) -> SampleShape:
        """(F, OH, OW) for images (C, H, W); compiles the receptive fields of every output
        position (``windows``).  ShapeError, naming the layer and the shapes, when the input is
        not an image of ``in_channels`` channels at least kh × kw once padded.

        >>> Conv2D(3, 8, 3, stride=2, padding=1).build((3, 7, 5))
        (8, 4, 3)
        """
        shape = check_declared(self, input_shape)
        channels, height, width = window_fits(self, shape, self.kernel_size, self.padding)
        if channels != self.in_channels:
            raise ShapeError(
                f"{self!r} takes {self.in_channels} channel{'s' * (self.in_channels != 1)}, "
                f"not the {channels} of an input {format_shape(shape)}"
            )
        out_height, out_width = output_size(
            height, width, self.kernel_size, self.stride, self.padding
        )
        # The table holds C·kh·kw indices per output position: a huge padding would fill the
        # memory before anything else failed (padding=10**5 on a 2×2 image).
        check_entries(out_height * out_width * self.fan_in,
                      f"the receptive fields of {self!r} on {format_shape(shape)}", "Conv2D")
        table = convolution_table((channels, height, width), self.kernel_size, self.stride,
                                  self.padding)
        self.windows = Windows(table, channels * height * width)
        self.positions = out_height * out_width
        return self.record_shapes(shape, (self.out_channels, out_height, out_width))

    # -- parameters -----------------------------------------------------------------------------

    def initialize(self, rng: random.Random) -> None:
        """W ← init(rng, C·kh·kw, F)ᵀ, so each filter is drawn as a column with fan-in C·kh·kw
        (the inputs one output sees) and fan-out F; b ← 0.  (PyTorch counts the fan-out of a
        convolution as F·kh·kw; only the xavier initializers notice the difference.)

        >>> import random
        >>> conv = Conv2D(1, 2, 3, init="uniform", input_shape=(1, 4, 4))
        >>> conv.initialize(random.Random(0))
        >>> len(conv.weights.value[0]), conv.bias.value              # F × C·kh·kw; b ← 0
        (9, [[0.0, 0.0]])
        """
        self.weights.value = kernels.transpose(self.init(rng, self.fan_in, self.out_channels))
        if self.bias is not None:
            self.bias.value = kernels.zeros(1, self.out_channels)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("weights", W), ("bias", b)], without the bias when bias=False.

        >>> [name for name, _ in Conv2D(1, 2, 3, bias=False).named_parameters()]
        ['weights']
        """
        pairs = [("weights", self.weights)]
        if self.bias is not None:
            pairs.append(("bias", self.bias))
        return pairs

    @classmethod
    def state_shapes(cls, config: dict[str, Any]) -> StateShapes:
        """W is F × C·kh·kw (one filter per row); b, when there is one, 1 × F.

        >>> Conv2D.state_shapes(Conv2D(3, 8, (3, 2)).config())
        {'weights': (8, 18), 'bias': (1, 8)}
        """
        where = "Conv2D"
        channels = check_int(config["in_channels"], "in_channels", where, 1)
        filters = check_int(config["out_channels"], "out_channels", where, 1)
        height, width = pair(config["kernel_size"], "kernel_size", where, 1)
        shapes = {"weights": (filters, channels * height * width)}
        if check_flag(config["bias"], "bias", where):
            shapes["bias"] = (1, filters)
        return shapes

    def config(self) -> dict[str, Any]:
        """The arguments that rebuild the layer; sizes as (h, w) pairs.

        >>> Conv2D(1, 8, 3, padding=1).config()["padding"]
        (1, 1)
        """
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "activation": self.activation,
            "bias": self.bias is not None,
            "init": self.init,
            "input_shape": self.declared,
        }

    # -- the passes -----------------------------------------------------------------------------

    def forward(self, x: Matrix) -> Matrix:
        """A = f(Z), Z_n = W·cols_nᵀ + b for each image row X_n, cols_n = im2col(X_n); caches
        (cols, Z, A).

        >>> conv = Conv2D(1, 1, 2, input_shape=(1, 2, 2))      # one 2×2 window over a 2×2 image
        >>> conv.weights.value = [[1.0, 0.0, 0.0, 1.0]]         # the diagonal: a + d
        >>> conv.forward([[1.0, 2.0, 3.0, 4.0]])
        [[5.0]]
        """
        check_built(self)
        columns = [self.windows.im2col(image) for image in x]
        z = [self._convolve(image_columns) for image_columns in columns]
        a = self.activation.forward(z)
        self.cache = (columns, z, a)
        return a

    def _convolve(self, columns: Matrix) -> list[float]:
        """One image's Z row from its P × K receptive fields: W·colsᵀ (F × P, filter by filter)
        plus b_f on filter f's row, laid out channel-major."""
        planes = kernels.matmul_nt(self.weights.value, columns)
        if self.bias is not None:
            biases = self.bias.value[0]
            planes = [[value + b for value in plane] for plane, b in zip(planes, biases)]
        return list(chain.from_iterable(planes))

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """The chain rule through Z_n = W·cols_nᵀ + b, A = f(Z), given ∂L/∂A:

        δ = ∂L/∂Z = ∂L/∂A ⊙ f′(Z)                 (the activation's backward)
        ∂L/∂W = Σ_n δ_n·cols_n                    (F × C·kh·kw)
        ∂L/∂b_f = Σ_n Σ_p δ_n[f, p]               (1 × F)
        ∂L/∂X_n = col2im(δ_nᵀ·W)                  (batch × C·H·W, returned)

        >>> conv = Conv2D(1, 1, 2, input_shape=(1, 2, 2))
        >>> conv.weights.value = [[1.0, 0.0, 0.0, 1.0]]
        >>> _ = conv.forward([[1.0, 2.0, 3.0, 4.0]])
        >>> conv.backward([[1.0]]), conv.weights.grad, conv.bias.grad
        ([[1.0, 0.0, 0.0, 1.0]], [[1.0, 2.0, 3.0, 4.0]], [[1.0]])
        """
        if self.cache is None:
            raise StateError("Conv2D.backward: called before forward (nothing cached)")
        columns, z, a = self.cache
        delta = self.activation.backward(z, a, grad_output)
        planes = self._side_by_side(delta)
        stacked = [row for image_columns in columns for row in image_columns]
        self.weights.grad = kernels.matmul(planes, stacked)
        if self.bias is not None:
            self.bias.grad = [[sum(plane) for plane in planes]]
        if not need_input_grad:
            return None
        grad_columns = kernels.matmul_tn(planes, self.weights.value)
        count = self.positions
        return [
            self.windows.col2im(grad_columns[start:start + count])
            for start in range(0, len(grad_columns), count)
        ]

    def _side_by_side(self, delta: Matrix) -> Matrix:
        """δ as F × N·P: row f holds filter f's δ_n[f, ·] of every image n, one after another
        (the images' rows are channel-major, so filter f's block is [f·P, (f + 1)·P))."""
        count = self.positions
        return [
            list(chain.from_iterable(row[f * count:(f + 1) * count] for row in delta))
            for f in range(self.out_channels)
        ]

    def __repr__(self) -> str:
        arguments = [str(self.in_channels), str(self.out_channels), format_pair(self.kernel_size)]
        if self.stride != (1, 1):
            arguments.append(f"stride={format_pair(self.stride)}")
        if self.padding != (0, 0):
            arguments.append(f"padding={format_pair(self.padding)}")
        arguments.append(f"activation={self.activation.name!r}")
        if self.bias is None:
            arguments.append("bias=False")
        if self.declared is not None:
            arguments.append(f"input_shape={self.declared!r}")
        return f"Conv2D({', '.join(arguments)})"
