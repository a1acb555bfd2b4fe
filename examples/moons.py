"""Two interleaving half-moons, a 2-16-16-2 tanh network with softmax cross-entropy.

Run: python3 examples/moons.py
"""

import pathlib
import sys

# Run from the checkout, Python puts examples/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn


def main(epochs: int = 60, seed: int = 0) -> float:
    """Train on 300 noisy moon points, test on 100 more; print and return test accuracy."""
    x, labels = pn.datasets.two_moons(400, noise=0.15, seed=seed)
    x_train, x_test, y_train, y_test = pn.datasets.train_test_split(x, labels, 0.25, seed=seed)
    network = pn.Network(
        [pn.Dense(2, 16, "tanh"), pn.Dense(16, 16, "tanh"), pn.Dense(16, 2)],
        loss="cross_entropy",
        seed=seed,
    )
    network.fit(
        x_train, y_train, epochs=epochs, batch_size=32, optimizer=pn.Adam(lr=0.01),
        validation_data=(x_test, y_test), metrics=["accuracy"],
    )
    result = network.evaluate(x_test, y_test, metrics=["accuracy"])
    print(f"moons: test loss {result['loss']:.4f}, test accuracy {result['accuracy']:.1%}")
    return result["accuracy"]


if __name__ == "__main__":
    main()
