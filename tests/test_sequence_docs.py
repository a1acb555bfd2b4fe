"""docs/sequences.md runs: its ```python blocks, pasted in order into one namespace."""

import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "sequences.md"


def test_every_python_block_runs_in_order(capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 4
    namespace = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    out = capsys.readouterr().out
    first = "Residual([RMSNorm(16, eps=1e-05), CausalSelfAttention(16, n_head=4)])"
    assert out.startswith(f"4192\n{first}\n")
    assert out.endswith("True\n")
