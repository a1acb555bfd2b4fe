"""Regression: a 1-16-16-1 tanh network fits y = sin x + noise, with mean squared error.

Run: python3 examples/sine.py
"""

import math
import pathlib
import sys

# Run from the checkout, Python puts examples/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn


def main(epochs: int = 150, seed: int = 0) -> float:
    """Fit 150 noisy samples of sin on [−π, π); print and return the RMS error against sin."""
    x, y = pn.datasets.noisy_sine(150, noise=0.1, seed=seed)
    network = pn.Network(
        [pn.Dense(1, 16, "tanh"), pn.Dense(16, 16, "tanh"), pn.Dense(16, 1)],
        loss="mse",
        seed=seed,
    )
    network.fit(
        x, y, epochs=epochs, batch_size=16, optimizer=pn.Adam(lr=0.01),
        schedule=pn.CosineAnnealingLR(T_max=epochs),
    )
    grid = [[-math.pi + 2 * math.pi * i / 50] for i in range(50)]
    errors = [p[0] - math.sin(g[0]) for g, p in zip(grid, network.predict(grid))]
    rms = math.sqrt(sum(e * e for e in errors) / len(errors))
    print(f"sine: training mse {network.loss(x, y):.4f}, RMS error against sin(x) {rms:.4f}")
    return rms


if __name__ == "__main__":
    main()
