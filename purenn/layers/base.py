"""The base of every layer: parameters, buffers, and the interface the network calls.

A layer's ``forward(X)`` maps a batch (one row per sample) to its output and caches its inputs;
``backward(grad_out)`` receives ∂L/∂(output), stores ∂L/∂θ in each parameter's ``grad`` and
returns ∂L/∂X for the layer below.  The gradients stored are the true gradients of the loss; the
optimizer subtracts them.

Shapes: a sample always travels as one row of numbers, but it has a shape, (n,) for a vector or
(C, H, W) for an image of C channels (its row holds them channel-major, then row-major).  Each
layer reports the shape it gives for the shape it takes (``build``), and a network builds its
layers in order when it is made, so a layer that does not fit the one below is refused then,
not at the first batch.  Each layer family lives in its own module of ``purenn.layers``,
whose docstring states the contract; this one holds the interface.

Modes: every layer has a ``training`` flag, set by its network (``Network.train()`` and
``Network.eval()``).  Most layers ignore it.  A layer that uses it keeps its mode-dependent
state in ``Buffer`` objects (``named_buffers``): matrices it updates itself, saved with the
network, never seen by an optimizer.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Dict, Tuple, TypeVar, Union

from purenn.activations import Activation
from purenn.arguments import check_entries, check_int, shown
from purenn.errors import ConfigurationError, ShapeError, StateError
from purenn.layers.parameters import Buffer, Parameter
from purenn.matrix import format_shape
from purenn.registry import Registry

if TYPE_CHECKING:
    from typing import Any, Hashable, Type

    from purenn.kernels import Matrix

    LayerClass = TypeVar("LayerClass", bound=Type["Layer"])

__all__ = [
    "Parameter",  # from purenn.layers.parameters, for the layers that hold them
    "Buffer",
    "Layer",
    "ActivatedLayer",
    "LAYER_TYPES",
    "register_layer",
    "kink_branches",
    "sample_shape",
    "check_declared",
    "check_built",
]


SampleShape = Tuple[int, ...]
"""The shape of one sample, the batch left out: (n,) for a vector, (C, H, W) for an image."""
Stored = Union[Parameter, Buffer]
"""What a network holds in matrices: its parameters (trained) and its buffers (not)."""
StateShapes = Dict[str, Tuple[int, int]]
"""Local name of a parameter or buffer → its (rows, columns)."""


class Layer:
    """Base class of layers: ``forward``, ``backward``, ``named_parameters``, ``initialize``,
    the shapes (``declared_input_shape``, ``build``) and the modes (``training``,
    ``named_buffers``, ``check_training_batch``).

    Once built, a layer knows ``input_shape`` and ``output_shape`` (SampleShape tuples) and the
    widths of the rows it takes and gives, ``n_in`` and ``n_out`` (the products of the shapes).
    The defaults here serve layers of flat vectors that set ``n_in`` and ``n_out`` when they are
    made, as Dense does: they declare the input shape (n_in,) and give (n_out,).

    >>> import purenn as pn
    >>> layer = pn.Dense(3, 2)                 # a Layer of flat vectors
    >>> layer.build((3,)), layer.n_in, layer.n_out
    ((2,), 3, 2)
    """

    n_in: int
    n_out: int
    input_shape: SampleShape | None = None
    output_shape: SampleShape | None = None
    # Training mode (True) or evaluation mode (False); a network sets it on all its layers.
    # A new layer starts in training mode, as in PyTorch.
    training: bool = True

    def declared_input_shape(self) -> SampleShape | None:
        """The input shape the layer was given when it was made, or None when it learns it from
        the layer below.  A network asks its first layer, which must know (e.g. a first Conv2D
        told ``input_shape=(C, H, W)``); for a later layer a declared shape is a check.

        >>> import purenn as pn
        >>> pn.Dense(3, 2).declared_input_shape(), pn.Flatten().declared_input_shape()
        ((3,), None)
        """
        return (self.n_in,)

    def build(self, input_shape: SampleShape) -> SampleShape:
        """Take samples of ``input_shape`` and return the output shape; a network calls this on
        each layer in order when it is made (and again if the layer joins another network).

        Raises ShapeError, its message beginning with the layer's repr, when the layer cannot
        take that shape: the network adds which layer below gave it.

        >>> from purenn.layers import Dense
        >>> Dense(3, 4).build((3,))
        (4,)
        >>> Dense(64, 10).build((1, 8, 8))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        purenn.errors.ShapeError: Dense(64, 10, ...) takes 64 inputs, not 1×8×8 (a flat vector: ...)
        """
        if tuple(input_shape) != (self.n_in,):
            flat = " (a flat vector: put Flatten() before it)" if len(input_shape) > 1 else ""
            raise ShapeError(
                f"{self!r} takes {self.n_in} inputs, not {format_shape(input_shape)}{flat}"
            )
        return self.record_shapes((self.n_in,), (self.n_out,))

    def record_shapes(self, input_shape: SampleShape, output_shape: SampleShape) -> SampleShape:
        """Store the shapes of a built layer and its row widths n_in = ∏ input_shape,
        n_out = ∏ output_shape; return ``output_shape`` (what ``build`` returns).

        >>> import purenn as pn
        >>> layer = pn.Flatten()
        >>> layer.record_shapes((2, 3, 3), (18,)), layer.n_in, layer.n_out
        ((18,), 18, 18)
        """
        self.input_shape, self.output_shape = input_shape, output_shape
        self.n_in, self.n_out = math.prod(input_shape), math.prod(output_shape)
        return output_shape

    def initialize(self, rng: random.Random) -> None:
        """Draw the initial parameter values from ``rng`` (the network's generator).

        >>> import random
        >>> import purenn as pn
        >>> layer = pn.Dense(1, 2, init="uniform")
        >>> layer.initialize(random.Random(0))
        >>> layer.weights.value
        [[0.8444218515250481, 0.7579544029403025]]
        """

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(local name, parameter) pairs, in a fixed order.

        >>> import purenn as pn
        >>> pn.Dense(2, 1).named_parameters()
        [('weights', <Parameter weights 2×1>), ('bias', <Parameter bias 1×1>)]
        """
        return []

    def named_buffers(self) -> list[tuple[str, Buffer]]:
        """(local name, buffer) pairs, in a fixed order: the state the layer updates itself
        (BatchNorm's running statistics); none for most layers.

        >>> import purenn as pn
        >>> pn.Dense(2, 1).named_buffers(), [name for name, _ in pn.BatchNorm(2).named_buffers()]
        ([], ['running_mean', 'running_var', 'num_batches_tracked'])
        """
        return []

    def check_buffers(self, values: dict[str, Matrix]) -> None:
        """Raise DataError, its message beginning with the layer's repr, if ``values`` (local
        buffer name → a matrix of the buffer's shape and finite numbers) cannot be this layer's
        buffers, such as a negative running variance; ``Network.load_state_dict`` asks before
        it changes anything.  Layers without buffers have nothing to check.

        >>> import purenn as pn
        >>> pn.Dense(2, 1).check_buffers({})      # nothing to check
        """

    def check_input(self, x: Matrix, where: str) -> None:
        """Raise DataError naming ``where`` if X (a float matrix of the right width) holds values
        this layer cannot take as a network's first layer (Embedding: entries that are not token
        ids); the network asks once, at its public boundary.  Most layers take any numbers.

        >>> import purenn as pn
        >>> pn.Dense(2, 1).check_input([[0.5, -3.0]], "fit")  # any numbers
        >>> pn.Embedding(3, 2, block_size=2).check_input([[0.0, 3.0]], "predict")
        Traceback (most recent call last):
        ...
        purenn.errors.DataError: predict: X[0][1] is 3.0, not a token id (an integer in 0..2)
        """

    def check_training_batch(self, rows: int) -> None:
        """Raise ShapeError, its message beginning with the layer's repr, if a training-mode
        forward pass cannot take a batch of ``rows`` rows (BatchNorm needs more than one value
        per channel); the network asks before it trains.  Most layers take any batch.

        >>> import purenn as pn
        >>> pn.Dense(2, 1).check_training_batch(1)   # any batch, even one row
        """

    def forward(self, x: Matrix) -> Matrix:
        """The layer's output for a batch X (batch × n_in); caches what backward needs.

        X must be a checked batch of the layer's input shape: a layer's passes, like the
        kernels, check nothing (``Network`` checks its data once, at the public boundary), so a
        row of the wrong length given straight to a layer is not diagnosed.

        >>> import purenn as pn
        >>> layer = pn.Dense(2, 1, bias=False)
        >>> layer.weights.value = [[1.0], [2.0]]
        >>> layer.forward([[3.0, 4.0]])
        [[11.0]]
        """
        raise NotImplementedError

    def backward(self, grad_output: Matrix, need_input_grad: bool = True) -> Matrix | None:
        """Store ∂L/∂θ in each parameter's ``grad``; return ∂L/∂X (None if not needed).

        >>> import purenn as pn
        >>> layer = pn.Dense(2, 1, bias=False)
        >>> layer.weights.value = [[1.0], [2.0]]
        >>> _ = layer.forward([[3.0, 4.0]])
        >>> layer.backward([[1.0]]), layer.weights.grad      # ∂L/∂X = δ·Wᵀ, ∂L/∂W = Xᵀ·δ
        ([[1.0, 2.0]], [[3.0], [4.0]])
        """
        raise NotImplementedError

    def output_range(self) -> tuple[float, float]:
        """The closed interval every output lies in, as far as the layer knows: a loss that
        needs probabilities checks the last layer's range when the network is built.

        >>> import purenn as pn
        >>> pn.Dense(2, 1, "sigmoid").output_range(), pn.Dense(2, 1).output_range()
        ((0.0, 1.0), (-inf, inf))
        """
        return (-math.inf, math.inf)

    def config(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this layer: ``type(layer)(**layer.config())`` is
        the same layer before training (its parameter values aside).  Activations and
        initializers appear as the objects the layer holds; a file format turns them into names.

        >>> import purenn as pn
        >>> pn.Dense(2, 1, "tanh").config()["activation"]
        <activation tanh>
        """
        raise NotImplementedError

    @classmethod
    def state_shapes(cls, config: dict[str, Any]) -> StateShapes | None:
        """The (rows, columns) of each parameter and buffer, by local name, of the layer that
        ``cls(**config)`` would build, or None when the layer does not say (the default).

        purenn's JSON format compares these with a file's stored values before it builds any
        layer, so a damaged size cannot make it allocate more than the file holds.  Checks the
        arguments it reads as the constructor does (a ConfigurationError otherwise).  Without
        it, the layer is built first, bounded by its constructor's own size checks
        (``purenn.arguments.check_entries``), and its state compared after.

        >>> from purenn.layers import Dense
        >>> Dense.state_shapes(Dense(3, 2, bias=False).config())
        {'weights': (3, 2)}
        """
        return None

    def branch_signature(self) -> tuple[Hashable, ...]:
        """Which smooth piece of its function the last forward pass ran through.

        A layer whose function has kinks (a relu's 0, a max pool's ties) reports, for every value
        that met a kink, the branch it took; two forward passes with equal signatures ran through
        the same smooth pieces.  The gradient checker compares signatures to skip numerical
        derivatives whose steps crossed a kink.  Smooth layers report ().

        >>> import purenn as pn
        >>> layer = pn.Dense(1, 2, "relu", bias=False)
        >>> layer.weights.value = [[1.0, -1.0]]
        >>> _ = layer.forward([[2.0]])
        >>> layer.branch_signature()                 # z = 2 > 0, z = -2 < 0
        (True, False)
        """
        return ()


class ActivatedLayer(Layer):
    """A layer whose output is A = f(Z) for an activation f of a pre-activation Z that its
    forward pass caches as ``cache[1]``, in (what else backward needs, Z, A) (Dense, Conv2D,
    BatchNorm): its range and kinks are f's.

    >>> import purenn as pn
    >>> isinstance(pn.Dense(2, 1), ActivatedLayer), isinstance(pn.Flatten(), ActivatedLayer)
    (True, False)
    """

    activation: Activation
    cache: tuple[Any, Matrix, Matrix] | None

    def output_range(self) -> tuple[float, float]:
        """The activation's ``output_range``.

        >>> import purenn as pn
        >>> pn.Dense(2, 1, "tanh").output_range()
        (-1.0, 1.0)
        """
        return self.activation.output_range

    def branch_signature(self) -> tuple[Hashable, ...]:
        """``kink_branches`` of the cached pre-activation Z: for each entry z and each kink k of
        the activation, whether z.real > k.

        >>> import purenn as pn
        >>> layer = pn.Dense(1, 1, "relu", bias=False)
        >>> layer.weights.value = [[-1.0]]
        >>> _ = layer.forward([[3.0]])
        >>> layer.branch_signature()
        (False,)
        """
        if self.cache is None:
            return ()
        return kink_branches(self.activation, self.cache[1])


def _is_layer_class(spec: object) -> bool:
    return isinstance(spec, type) and issubclass(spec, Layer)


LAYER_TYPES: Registry[type[Layer]] = Registry("layer type", _is_layer_class)
"""Name → layer class: the layer types purenn's files can name (``register_layer`` adds one).
purenn's JSON format saves and loads every layer whose class is registered here."""


def register_layer(cls: LayerClass) -> LayerClass:
    """Register the layer class ``cls`` under its name, ``cls.__name__``, so that purenn's JSON
    format (``save``, ``load``, checkpoints) saves and loads it; returns ``cls``, so it serves
    as a class decorator.  The one registration a new layer needs: the file holds the layer's
    ``config()``, rebuilt as ``cls(**config)`` (the contract is in ``purenn.layers``).

    Registering the same class again (or a class of the same module and qualified name: a
    notebook cell run twice) replaces it; a different class of the same name is refused with
    a ConfigurationError, as is anything but a subclass of Layer.

    >>> @register_layer
    ... class Double(Layer):
    ...     def __init__(self, n):
    ...         self.n_in = self.n_out = n
    ...     def config(self):
    ...         return {"n": self.n_in}
    >>> LAYER_TYPES["Double"] is Double
    True
    >>> del LAYER_TYPES["Double"]
    """
    where = "register_layer"
    if not _is_layer_class(cls):
        raise ConfigurationError(f"{where}: expected a subclass of Layer, got {shown(cls)}")
    name = cls.__name__
    taken = LAYER_TYPES.get(name)
    if taken is not None and (taken.__module__, taken.__qualname__) != (
        cls.__module__, cls.__qualname__
    ):
        raise ConfigurationError(
            f"{where}: the name {name!r} is taken by {taken.__module__}.{taken.__qualname__}; "
            f"a file could not tell it from {cls.__module__}.{cls.__qualname__}: rename one"
        )
    LAYER_TYPES.register(name, cls)
    return cls


def kink_branches(activation: Activation, z: Matrix) -> tuple[Hashable, ...]:
    """For each entry z of the pre-activation Z and each kink k of the activation, whether
    z.real > k: the branch the activation took (it branches on that strict inequality); () for
    a smooth activation.  The branch signature of a layer Z ↦ f(Z).

    The branch, not a three-way side, matters for the complex step: at z = 0 exactly it can
    move the real part by O(h²) ≈ −1e-60, which changes the side but not the branch taken.

    >>> from purenn.activations import ACTIVATIONS
    >>> kink_branches(ACTIVATIONS["relu"], [[-1.0, 0.0, 2.0]])
    (False, False, True)
    """
    kinks = activation.kinks
    if not kinks:
        return ()
    return tuple(value.real > kink for row in z for value in row for kink in kinks)


def sample_shape(value: Any, where: str) -> SampleShape:
    """A user's ``input_shape`` as a tuple: a non-empty tuple or list of ints ≥ 1 (e.g. (C, H, W)
    for an image); otherwise ConfigurationError naming ``where``.

    >>> sample_shape([1, 8, 8], "Flatten")
    (1, 8, 8)
    """
    if isinstance(value, (tuple, list)) and value:
        try:
            shape = tuple(check_int(size, "input_shape", where, 1) for size in value)
        except ConfigurationError:
            pass
        else:
            check_entries(math.prod(shape), f"a sample of shape {shown(value)}", where)
            return shape
    raise ConfigurationError(
        f"{where}: input_shape must be a tuple of ints ≥ 1, such as (C, H, W), got {shown(value)}"
    )


def check_declared(layer: Layer, input_shape: SampleShape) -> SampleShape:
    """``input_shape`` as a tuple, once it is known to be the shape ``layer`` declares (if it
    declares one); otherwise ShapeError naming the layer and both shapes.  The first check of
    ``build`` for layers that learn their input shape from the layer below.

    >>> import purenn as pn
    >>> check_declared(pn.Flatten(input_shape=(1, 2, 2)), [1, 2, 2])
    (1, 2, 2)
    >>> check_declared(pn.Flatten(input_shape=(1, 2, 2)), (1, 3, 3))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    purenn.errors.ShapeError: Flatten(...) was made for input shape 1×2×2, not 1×3×3
    """
    shape = tuple(input_shape)
    declared = layer.declared_input_shape()
    if declared is not None and shape != declared:
        raise ShapeError(
            f"{layer!r} was made for input shape {format_shape(declared)}, "
            f"not {format_shape(shape)}"
        )
    return shape


def check_built(layer: Layer) -> None:
    """StateError unless ``layer`` has been built (it knows its input shape): the check a layer
    whose forward pass needs its shape makes before it runs outside a network.

    >>> import purenn as pn
    >>> check_built(pn.MaxPool2D(2, input_shape=(1, 4, 4)))     # built: it was told its shape
    >>> check_built(pn.MaxPool2D(2))                            # doctest: +ELLIPSIS
    Traceback (most recent call last):
    purenn.errors.StateError: MaxPool2D(2): not built, so its input shape is unknown: ...
    """
    if layer.output_shape is None:
        raise StateError(
            f"{layer!r}: not built, so its input shape is unknown: give it "
            "input_shape=(C, H, W) or put it in a Network"
        )
