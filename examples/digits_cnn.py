"""A small convolutional network on the real 8×8 handwritten digits, against a dense-only one.

Both train on the same three quarters of the 1797 images (``pn.datasets.digits``) from the same
seed and are tested on the held-out quarter; the script prints each one's test accuracy and the
time its training took.

    CNN:    Conv2D(1→16, 5×5, padding 2, relu) → MaxPool2D(2) → Flatten → Dense(256 → 10)
    dense:  Dense(64 → 64, relu) → Dense(64 → 10)

Run: python3 examples/digits_cnn.py   (add --verbose to watch the progress lines)
"""

import pathlib
import sys
import time
from typing import Dict, List, Optional, Sequence

# Run from the checkout, Python puts examples/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn

IMAGE = pn.datasets.DIGITS_SHAPE  # (1, 8, 8): one channel of 8 × 8 pixels


def cnn() -> List[pn.Layer]:
    """16 filters of 5 × 5 (zero padding keeps the 8 × 8 size), pooled to 16 × 4 × 4."""
    return [
        pn.Conv2D(1, 16, 5, padding=2, activation="relu", init="he_normal", input_shape=IMAGE),
        pn.MaxPool2D(2),
        pn.Flatten(),
        pn.Dense(16 * 4 * 4, 10),
    ]


def dense() -> List[pn.Layer]:
    """A hidden layer of 64 relu units on the 64 pixels."""
    return [pn.Dense(64, 64, "relu", init="he_normal"), pn.Dense(64, 10)]


def train_and_test(
    name: str, layers: Sequence[pn.Layer], data: Sequence[list], epochs: int, seed: int,
    verbose: bool,
) -> Dict[str, float]:
    """Train with Adam and a cosine schedule; return {"accuracy": test accuracy, "seconds": the
    training time} and print them."""
    x_train, x_test, y_train, y_test = data
    network = pn.Network(layers, loss="cross_entropy", seed=seed)
    if verbose:
        print(network.summary())
    start = time.perf_counter()
    network.fit(
        x_train, y_train, epochs=epochs, batch_size=32,
        optimizer=pn.Adam(lr=0.01, weight_decay=1e-3),
        schedule=pn.CosineAnnealingLR(T_max=epochs), verbose=verbose,
    )
    seconds = time.perf_counter() - start
    accuracy = network.evaluate(x_test, y_test, metrics=["accuracy"])["accuracy"]
    print(f"{name}: test accuracy {accuracy:.2%}, trained in {seconds:.1f}s ({epochs} epochs)")
    return {"accuracy": accuracy, "seconds": seconds}


def main(
    epochs: int = 10, dense_epochs: int = 30, seed: int = 0, limit: Optional[int] = None,
    verbose: bool = False,
) -> Dict[str, Dict[str, float]]:
    """Both networks on the same split (a quarter held out, split seed 0); ``limit`` uses only
    the first images (for a quick smoke test).  Returns {"cnn": …, "dense": …}."""
    x, labels = pn.datasets.digits()
    if limit is not None:
        x, labels = x[:limit], labels[:limit]
    data = pn.datasets.train_test_split(x, labels, 0.25, seed=0)
    print(f"digits: {len(data[0])} training and {len(data[1])} test images of 8×8 pixels")
    return {
        "cnn": train_and_test("CNN  ", cnn(), data, epochs, seed, verbose),
        "dense": train_and_test("dense", dense(), data, dense_epochs, seed, verbose),
    }


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
