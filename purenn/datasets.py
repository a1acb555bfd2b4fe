"""Small data sets generated in code: nothing is ever downloaded.

``seed_data`` is the tutorial's: three inputs (the third always 1, standing in for a bias) whose
target is the XOR of the first two.
"""

from typing import Tuple

from purenn.kernels import Matrix

__all__ = ["seed_data"]


def seed_data() -> Tuple[Matrix, Matrix]:
    """(X, Y) of the seed tutorial: X = [[0,0,1],[0,1,1],[1,0,1],[1,1,1]], Y = [[0],[1],[1],[0]]."""
    x = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    y = [[0.0], [1.0], [1.0], [0.0]]
    return x, y
