"""The two networks of the seed data that ``demo`` and ``gradcheck`` run: the tutorial's own,
and a deeper one with biases.

The seed data (``purenn.datasets.seed_data``) is the tutorial's: four rows of three inputs, the
target the XOR of the first two.
"""

from purenn.layers import Dense
from purenn.network import Network

__all__ = ["seed_network", "deep_network"]


def seed_network(seed: int) -> Network:
    """The tutorial's 3-4-1 network: sigmoid layers, no biases, weights from U[0, 1), SSE loss.

    >>> for layer in seed_network(1).layers:
    ...     print(layer)
    Dense(3, 4, activation='sigmoid', bias=False)
    Dense(4, 1, activation='sigmoid', bias=False)
    """
    return Network(
        [
            Dense(3, 4, activation="sigmoid", bias=False, init="uniform"),
            Dense(4, 1, activation="sigmoid", bias=False, init="uniform"),
        ],
        loss="sse",
        seed=seed,
    )


def deep_network(seed: int) -> Network:
    """A deeper net on the seed data: 3-5-4-1, tanh, sigmoid, identity output, biases, SSE.

    Its biases are set to small distinct values so that every bias gradient is exercised away
    from the all-zero start.

    >>> deep_network(1).layers[1].bias.value
    [[0.2, 0.15000000000000002, 0.1, 0.04999999999999999]]
    """
    network = Network(
        [
            Dense(3, 5, activation="tanh"),
            Dense(5, 4, activation="sigmoid"),
            Dense(4, 1, activation="identity"),
        ],
        loss="sse",
        seed=seed,
    )
    for layer_index, layer in enumerate(network.layers):
        if isinstance(layer, Dense) and layer.bias is not None:
            row = layer.bias.value[0]
            row[:] = [0.1 * (layer_index + 1) - 0.05 * j for j in range(len(row))]
    return network
