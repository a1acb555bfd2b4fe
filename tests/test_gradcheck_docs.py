"""The gradient checker's documentation runs: every docstring example of purenn/gradient_checking/,
and the tables of docs/gradient-checking.md, which must be what the code prints."""

import contextlib
import doctest
import importlib
import inspect
import io
import pathlib
import pkgutil
import re

import pytest

from purenn import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Through importlib: the attribute purenn.gradient_checking is the function, not the subpackage.
PACKAGE = importlib.import_module("purenn.gradient_checking")
MODULE_NAMES = ["purenn.gradient_checking"] + [
    f"purenn.gradient_checking.{info.name}" for info in pkgutil.iter_modules(PACKAGE.__path__)
]


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    results = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples failed"


def defined_here(module):
    """The public functions and classes ``module`` defines (not those it imports)."""
    for name in module.__all__:
        value = getattr(module, name)
        if (inspect.isfunction(value) or inspect.isclass(value)) and \
                value.__module__ == module.__name__:
            yield name, value


@pytest.mark.parametrize("name", MODULE_NAMES[1:])
def test_every_public_function_and_class_has_an_example(name):
    module = importlib.import_module(name)
    found = list(defined_here(module))
    assert found, f"{name} defines nothing public"
    for public, value in found:
        assert ">>> " in (value.__doc__ or ""), f"{name}.{public} has no example"


# -- the page ----------------------------------------------------------------------------------

# Digits that rounding may change between interpreters (CPython 3.12+ sums with math.sumprod):
# every decimal with a fraction, and which entry is "worst" among round-off-level errors.
FLOAT = re.compile(r"-?\d+\.\d+(?:e[+-]\d+)?")
WORST = re.compile(r"^worst entry: .*")


def masked(text):
    return [WORST.sub("worst entry: …", FLOAT.sub("#", line)) for line in text.splitlines()]


def page_blocks():
    """(language, text) of each fenced block of docs/gradient-checking.md."""
    page = (ROOT / "docs" / "gradient-checking.md").read_text(encoding="utf-8")
    return re.findall(r"```(\w*)\n(.*?)```", page, flags=re.DOTALL)


def printed_by(language, code, namespace):
    """What a block prints: Python run in ``namespace``, or a ``python3 -m purenn`` line."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if language == "python":
            exec(code, namespace)
        else:
            (command,) = code.strip().splitlines()
            cli.main(command.split()[3:])
    return out.getvalue()


def assert_shown_within(shown, printed):
    """The page's output block is a contiguous run of the printed lines, up to rounding."""
    want, got = masked(shown.rstrip("\n")), masked(printed)
    starts = [i for i in range(len(got) - len(want) + 1) if got[i : i + len(want)] == want]
    assert starts, "the page's output differs from the real one:\n" + printed


def test_the_page_shows_what_the_code_prints():
    blocks = page_blocks()
    namespace = {}
    compared = 0
    for (language, code), (next_language, shown) in zip(blocks, blocks[1:]):
        if language in ("python", "sh"):
            printed = printed_by(language, code, namespace)
            if next_language == "" and printed:
                assert_shown_within(shown, printed)
                compared += 1
    assert compared == 3  # the first check, the kinks, the planted bug


def test_the_page_sweep_is_the_real_sweep():
    (shown,) = [text for _, text in page_blocks() if text.lstrip().startswith("h ")]
    printed = printed_by("sh", "python3 -m purenn gradcheck --sweep", {})
    assert_shown_within(shown, printed)
