"""Three spiral arms, a 2-32-32-3 ReLU network with softmax cross-entropy and Adam.

Run: python3 examples/spirals.py   (add --verbose to watch the progress line)
"""

import pathlib
import sys

# Run from the checkout, Python puts examples/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn


def main(epochs: int = 60, seed: int = 0, verbose: bool = False) -> float:
    """Train on 225 spiral points, test on 75; print and return the test accuracy."""
    x, labels = pn.datasets.spirals(100, classes=3, seed=seed)
    x_train, x_test, y_train, y_test = pn.datasets.train_test_split(x, labels, 0.25, seed=1)
    network = pn.Network(
        [
            pn.Dense(2, 32, "relu", init="he_normal"),
            pn.Dense(32, 32, "relu", init="he_normal"),
            pn.Dense(32, 3),
        ],
        loss="cross_entropy",
        seed=seed,
    )
    network.fit(
        x_train, y_train, epochs=epochs, batch_size=32, optimizer=pn.Adam(lr=0.01),
        metrics=["accuracy"], verbose=verbose,
    )
    result = network.evaluate(x_test, y_test, metrics=["accuracy"])
    print(f"spirals: test loss {result['loss']:.4f}, test accuracy {result['accuracy']:.1%}")
    return result["accuracy"]


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
