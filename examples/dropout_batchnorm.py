"""What Dropout and BatchNorm each do, measured: the same network with and without the layer.

Dropout against overfitting.  Sixty noisy points of two moons (noise 0.3) are few enough for a
2-32-32-2 relu network to memorise; trained for 300 full-batch epochs with Adam, it fits the
noise and tests worse on 2000 fresh points than the same network with Dropout(0.5) after each
hidden layer, whose test loss also stays low (it does not grow overconfident).

BatchNorm against a network that will not train.  Four sigmoid layers of 32 units on the real
8×8 digits, trained with plain SGD (learning rate 0.2, cosine schedule, batches of 32) for 6
epochs: without normalisation the saturating sigmoids pass almost no gradient down and the
network stays at chance; with BatchNorm(32, "sigmoid") in place of each sigmoid layer's
activation it learns.

    dropout:   Dense(2→32, relu) → [Dropout(0.5)] → Dense(32→32, relu) → [Dropout(0.5)]
               → Dense(32→2)
    batchnorm: 4 × (Dense(→32, sigmoid)  or  Dense(→32) → BatchNorm(32, sigmoid)) → Dense(32→10)

Each line printed is one trained network: its training and test accuracy and its test loss,
evaluated (as ``evaluate`` always does) in evaluation mode: no dropout, BatchNorm's running
statistics.

Run: python3 examples/dropout_batchnorm.py   (add --seed N for another split and initialisation)
"""

import pathlib
import sys
from typing import Dict, List, Optional, Sequence

# Run from the checkout, Python puts examples/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn

MOONS_TRAIN, MOONS_TEST, MOONS_NOISE = 60, 2000, 0.3
DIGITS_DEPTH, DIGITS_WIDTH = 4, 32


def moons_layers(dropout: bool) -> List[pn.Layer]:
    """2-32-32-2 relu, with Dropout(0.5) after each hidden layer when asked."""
    layers: List[pn.Layer] = [pn.Dense(2, 32, "relu", init="he_normal")]
    if dropout:
        layers.append(pn.Dropout(0.5))
    layers.append(pn.Dense(32, 32, "relu", init="he_normal"))
    if dropout:
        layers.append(pn.Dropout(0.5))
    return [*layers, pn.Dense(32, 2)]


def digits_layers(batchnorm: bool) -> List[pn.Layer]:
    """Four sigmoid layers of 32 units; with BatchNorm normalising each one's pre-activation."""
    layers: List[pn.Layer] = []
    width = 64
    for _ in range(DIGITS_DEPTH):
        if batchnorm:
            layers += [pn.Dense(width, DIGITS_WIDTH), pn.BatchNorm(DIGITS_WIDTH, "sigmoid")]
        else:
            layers.append(pn.Dense(width, DIGITS_WIDTH, "sigmoid"))
        width = DIGITS_WIDTH
    return [*layers, pn.Dense(width, 10)]


def report(name: str, network: pn.Network, train: Sequence[list], test: Sequence[list]
           ) -> Dict[str, float]:
    """Print and return training accuracy, test accuracy and test loss."""
    trained = network.evaluate(*train, metrics=["accuracy"])
    tested = network.evaluate(*test, metrics=["accuracy"])
    print(f"  {name:<22} train accuracy {trained['accuracy']:7.2%}   test accuracy "
          f"{tested['accuracy']:7.2%}   test loss {tested['loss']:.3f}")
    return {"train_accuracy": trained["accuracy"], "test_accuracy": tested["accuracy"],
            "test_loss": tested["loss"]}


def dropout_experiment(seed: int, epochs: int) -> Dict[str, Dict[str, float]]:
    """The moons network without and with dropout, on the same points from the same seed."""
    train = pn.datasets.two_moons(MOONS_TRAIN, noise=MOONS_NOISE, seed=seed)
    test = pn.datasets.two_moons(MOONS_TEST, noise=MOONS_NOISE, seed=1000 + seed)
    print(f"two moons, {MOONS_TRAIN} training points, noise {MOONS_NOISE}, {epochs} epochs:")
    results = {}
    for name, dropout in [("without dropout", False), ("with Dropout(0.5)", True)]:
        network = pn.Network(moons_layers(dropout), loss="cross_entropy", seed=seed)
        network.fit(*train, epochs=epochs, optimizer=pn.Adam(lr=0.01))
        results[name] = report(name, network, train, test)
    return results


def batchnorm_experiment(seed: int, epochs: int, limit: Optional[int]
                         ) -> Dict[str, Dict[str, float]]:
    """The deep sigmoid network without and with BatchNorm, on the same digits split."""
    x, labels = pn.datasets.digits()
    if limit is not None:
        x, labels = x[:limit], labels[:limit]
    x_train, x_test, y_train, y_test = pn.datasets.train_test_split(x, labels, 0.25, seed=seed)
    print(f"digits, {len(x_train)} training images, {DIGITS_DEPTH} sigmoid layers of "
          f"{DIGITS_WIDTH}, SGD, {epochs} epochs:")
    results = {}
    for name, batchnorm in [("without BatchNorm", False), ("with BatchNorm", True)]:
        network = pn.Network(digits_layers(batchnorm), loss="cross_entropy", seed=seed)
        network.fit(x_train, y_train, epochs=epochs, batch_size=32, optimizer=pn.SGD(lr=0.2),
                    schedule=pn.CosineAnnealingLR(T_max=epochs))
        results[name] = report(name, network, (x_train, y_train), (x_test, y_test))
    return results


def main(seed: int = 0, moons_epochs: int = 300, digits_epochs: int = 6,
         limit: Optional[int] = None) -> Dict[str, Dict[str, Dict[str, float]]]:
    """Run both experiments; return {"dropout": …, "batchnorm": …}, each {network: numbers}.
    ``limit`` keeps only the first images of the digits (for a quick run)."""
    return {
        "dropout": dropout_experiment(seed, moons_epochs),
        "batchnorm": batchnorm_experiment(seed, digits_epochs, limit),
    }


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(seed=int(arguments[arguments.index("--seed") + 1]) if "--seed" in arguments else 0)
