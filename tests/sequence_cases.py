"""Small sequence networks shared by the tests of the sequence layers: every layer of the family,
built small enough to check every gradient entry in well under a second."""

import purenn as pn

VOCAB, BLOCK, WIDTH = 5, 4, 4


def every_layer_net(seed=0, relu=True):
    """Embedding, positions, both norms (with gains), attention, a ReLU MLP with biases, a
    residual around each, and a head: every sequence layer, C = 4, T = 4, V = 5."""
    activation = "relu" if relu else "tanh"
    return pn.Network([
        pn.Embedding(VOCAB, WIDTH, block_size=BLOCK, init_std=0.5),
        pn.PositionEmbedding(BLOCK, WIDTH, init_std=0.5),
        pn.RMSNorm(WIDTH, gain=True),
        pn.Residual([pn.LayerNorm(WIDTH), pn.CausalSelfAttention(WIDTH, 2, init_std=0.5)]),
        pn.Residual([
            pn.RMSNorm(WIDTH),
            pn.SequenceDense(WIDTH, 6, activation, init=pn.Normal(0.0, 0.5)),
            pn.SequenceDense(6, WIDTH, init=pn.Normal(0.0, 0.5)),
        ]),
        pn.SequenceDense(WIDTH, VOCAB, bias=False, init=pn.Normal(0.0, 0.5)),
    ], loss="sequence_cross_entropy", seed=seed)


# Two sequences: one of the full block, one padded (its last target ignored, its pad id 0).
X = [[4, 0, 1, 2], [4, 3, 0, 0]]
Y = [[0, 1, 2, 4], [3, 4, -100, -100]]


def perturb_gains(net):
    """Move the norms' gains and biases off their start (1 and 0), so that their gradients are
    checked at a generic point."""
    for parameter in net.parameters():
        if parameter.shape[0] == 1:
            parameter.value = [[0.7 + 0.1 * j for j in range(parameter.shape[1])]]
