"""purenn's version, in one place: the package's ``__version__`` and what exported files
record as their producer's version (ONNX's producer_version).  pyproject.toml repeats it for
the build; a test holds the two equal."""

from __future__ import annotations

from typing import TYPE_CHECKING  # noqa: F401  (every module imports it, as the rules say)

__all__ = ["VERSION"]

VERSION = "0.1.0"
