"""Derive the Chebyshev coefficients of purenn.formats.onnxgraph's erfc (needs mpmath).

ONNX Runtime has no float64 Erf, so the ONNX export computes, for w ≥ 0,

    erfc(w) = t · exp(−w² + P(t)),   t = 2 / (2 + w),   P(t) = Σₖ cₖ Tₖ(2t − 1)

(the form of Press et al., Numerical Recipes, §6.2), with Tₖ the Chebyshev polynomials.  P is
smooth on t ∈ (0, 1]: it tends to −ln(2√π) as w → ∞.  This script interpolates P at Chebyshev
nodes in 50-digit arithmetic and prints the coefficients to paste into ERFC_CHEBYSHEV:

    python3 tools/erfc_chebyshev.py

The truncation error (the first dropped coefficients) is printed too; tests/test_export_onnx.py
checks the result against math.erfc.
"""

import mpmath

mpmath.mp.dps = 50
NODES = 64
DEGREE = 27


def p(t):
    w = 2 / t - 2
    return mpmath.log(mpmath.erfc(w)) + w * w - mpmath.log(t)


def coefficients():
    nodes = [mpmath.cos(mpmath.pi * (k + mpmath.mpf(1) / 2) / NODES) for k in range(NODES)]
    values = [p((y + 1) / 2) for y in nodes]
    result = []
    for j in range(NODES):
        total = mpmath.fsum(values[k] * mpmath.cos(mpmath.pi * j * (k + mpmath.mpf(1) / 2) / NODES)
                            for k in range(NODES))
        result.append(total * 2 / NODES)
    result[0] /= 2
    return result


if __name__ == "__main__":
    found = coefficients()
    print("ERFC_CHEBYSHEV = (")
    for value in found[: DEGREE + 1]:
        print(f"    {float(value)!r},")
    print(")")
    dropped = mpmath.fsum(abs(value) for value in found[DEGREE + 1:])
    print(f"# sum of the dropped coefficients: {mpmath.nstr(dropped, 3)}")
