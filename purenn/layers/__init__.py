"""The layers, one family a module, and the contract every layer follows.

    parameters  Parameter (trained) and Buffer (updated by the layer itself)
    base        the Layer base class, ActivatedLayer (A = f(Z)), and LAYER_TYPES, the registry
                of layer classes (register_layer)
    dense       Dense: Z = X·W + b, A = f(Z), the seed tutorial's layer
    chain       layers in sequence: each built on the shape the layer below gives
    im2col      receptive fields as index tables, shared by the image layers
    conv        Conv2D
    pooling     MaxPool2D, AvgPool2D
    flatten     Flatten
    dropout     Dropout (trains and evaluates differently)
    batchnorm   BatchNorm (trains and evaluates differently; running statistics)
    normalization  Normalization (inputs standardised by statistics ``adapt`` learns once)
    positionwise  sequences (T, C) as rows, and SequenceDense: Dense on every position
    embedding   Embedding (token ids → vectors), PositionEmbedding
    norm        RMSNorm, LayerNorm (per position)
    attention   CausalSelfAttention
    residual    Residual: y = x + f(x) for layers f

The contract
------------
A batch is a list of rows, one row per sample; a sample of shape (C, H, W) travels as one row of
C·H·W numbers, channel-major; a sequence of T positions of C channels as one row of T·C numbers,
position-major (a row of T token ids before an Embedding).  A layer is a subclass of ``Layer`` that

must implement
    ``__init__(...)``   checks its arguments (a ConfigurationError naming the layer, as
                        ``purenn.arguments`` does; ``check_entries`` before allocating a
                        matrix whose size an argument gives): a file's values arrive here
    ``forward(x)``      the output for a checked batch; keeps what ``backward`` needs in
                        ``self.cache`` (None until the first pass)
    ``backward(grad_output, need_input_grad=True)``
                        given ∂L/∂(output), store ∂L/∂θ in each parameter's ``grad`` and return
                        ∂L/∂X (or None when ``need_input_grad`` is False); a StateError while
                        ``cache`` is None.  (A layer whose backward is a fixed linear map,
                        Flatten or AvgPool2D, needs nothing from forward and keeps nothing.)
    ``config()``        every argument of ``__init__`` by its name, so that
                        ``type(layer)(**layer.config())`` rebuilds it.  Plain values (ints,
                        floats, bools, strings, None, tuples and lists of them), or an
                        activation under the key "activation" (or "…_activation"), an
                        initializer under "init" (or "…_init"): files write those by their
                        registered names
    its shapes          either set ``n_in`` and ``n_out`` in ``__init__`` (a layer of flat
                        vectors, as Dense does: the defaults of ``declared_input_shape`` and
                        ``build`` then serve), or implement ``build(input_shape)`` returning its
                        output shape through ``record_shapes``

and is registered once, ``@register_layer`` above the class: purenn's JSON format (``save``,
``load``, checkpoints) then saves and loads it, by its class name.  The other formats (NumPy's
.npz, ONNX, standalone Python) each declare the layers they take and refuse any other by name.

may implement
    ``named_parameters()``   (name, Parameter) pairs the optimizer trains (default: none)
    ``initialize(rng)``      draw initial values from the network's generator (default: none)
    ``named_buffers()``, ``check_buffers(values)``
                             state the layer updates itself and that is saved (BatchNorm's
                             running statistics) and its validation on load
    ``state_shapes(config)`` (a classmethod) the shape of each parameter and buffer for a
                             config, so a file's sizes are checked before anything is built
    ``declared_input_shape()``  the input shape it was told, for a first layer
    ``check_input(x, where)``  refuse, as a first layer, inputs it cannot take (Embedding: entries
                             that are not token ids); the network asks once, at its boundary
    ``check_training_batch(rows)``  refuse a training batch it cannot take (the network asks
                             once, before it trains: ``forward`` then trusts the batch)
    ``output_range()``       the interval its outputs lie in (a loss that needs probabilities
                             checks the last layer's)
    ``branch_signature()``   which smooth piece of a kinked function the last pass ran through
                             (the gradient checker skips steps that cross a kink)
    ``training``             a flag the network sets (``Network.train()``/``eval()``); read it
                             in ``forward`` if the layer behaves differently in the two modes

A layer whose output is f(Z) for an activation f can subclass ``ActivatedLayer``, which gives
``output_range`` and ``branch_signature`` from f when ``cache`` is (…, Z, A).

Nothing above the layers special-cases a layer: the network, the training loop, the gradient
checker and purenn's JSON format use only the contract.  A small layer that follows it, y = 2x
(docs/writing-a-layer.md walks through one with a parameter, registered, trained, checked and
saved):

>>> import purenn as pn
>>> class Double(pn.Layer):
...     def __init__(self, n):
...         self.n_in = self.n_out = n
...     def forward(self, x):
...         return [[2.0 * value for value in row] for row in x]
...     def backward(self, grad_output, need_input_grad=True):
...         return [[2.0 * value for value in row] for row in grad_output]
...     def config(self):
...         return {"n": self.n_in}
>>> net = pn.Network([pn.Dense(2, 2), Double(2)], seed=0)
>>> net.predict([[1.0, 0.0]])
[[1.6873155850019916, 1.2637133282160593]]
"""

from purenn.layers.attention import CausalSelfAttention
from purenn.layers.base import (
    LAYER_TYPES,
    ActivatedLayer,
    Buffer,
    Layer,
    Parameter,
    SampleShape,
    StateShapes,
    Stored,
    check_built,
    check_declared,
    kink_branches,
    register_layer,
    sample_shape,
)
from purenn.layers.batchnorm import BatchNorm
from purenn.layers.chain import build_layers
from purenn.layers.conv import Conv2D
from purenn.layers.dense import Dense
from purenn.layers.dropout import Dropout
from purenn.layers.embedding import Embedding, PositionEmbedding
from purenn.layers.flatten import Flatten
from purenn.layers.norm import LayerNorm, RMSNorm
from purenn.layers.normalization import ConstantFeatureWarning, Normalization
from purenn.layers.pooling import AvgPool2D, MaxPool2D, Pool2D
from purenn.layers.positionwise import SequenceDense
from purenn.layers.residual import Residual

__all__ = [
    "Parameter",
    "Buffer",
    "SampleShape",
    "StateShapes",
    "Stored",
    "Layer",
    "ActivatedLayer",
    "LAYER_TYPES",
    "register_layer",
    "Dense",
    "Conv2D",
    "Pool2D",
    "MaxPool2D",
    "AvgPool2D",
    "Flatten",
    "Dropout",
    "BatchNorm",
    "Normalization",
    "ConstantFeatureWarning",
    "SequenceDense",
    "Embedding",
    "PositionEmbedding",
    "RMSNorm",
    "LayerNorm",
    "CausalSelfAttention",
    "Residual",
    "kink_branches",
    "sample_shape",
    "check_declared",
    "check_built",
    "build_layers",
]
