"""XOR with a 2-4-1 sigmoid network trained by Adam: the seed tutorial's problem, two inputs.

Run: python3 examples/xor.py
"""

import pathlib
import sys

# Run from the checkout, Python puts examples/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn


def main(epochs: int = 500, seed: int = 0) -> float:
    """Train on the four XOR points; print and return the final accuracy."""
    x, labels = pn.datasets.xor()
    network = pn.Network(
        [pn.Dense(2, 4, activation="tanh"), pn.Dense(4, 1, activation="sigmoid")],
        loss="bce",
        seed=seed,
    )
    network.fit(x, labels, epochs=epochs, optimizer=pn.Adam(lr=0.05), metrics=["accuracy"])
    result = network.evaluate(x, labels, metrics=["accuracy"])
    for point, label, output in zip(x, labels, network.predict(x)):
        print(f"  {point} → {output[0]:.3f}  (target {label})")
    print(f"xor: loss {result['loss']:.4f}, accuracy {result['accuracy']:.0%}")
    return result["accuracy"]


if __name__ == "__main__":
    main()
