"""The documentation works as written: the README and every page of docs/.

- Every ```python block of a page, run in order in one fresh interpreter (as a reader pastes
  them one after another), raises nothing.  A block that imports an oracle (NumPy, PyTorch,
  ONNX Runtime) runs only where the oracle is installed; the others run everywhere.
- Every shell command that starts with ``python3`` names a file or a module that exists, and the
  README's CSV commands run.
- Every relative link leads to a file (and its #anchor to a heading there); the README links
  every page and every page links back to the README; the README stays short.
"""

import contextlib
import importlib.util
import inspect
import io
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
from cli_helpers import environment
from oracles import require, require_native

import purenn as pn
from purenn import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 300  # the bound: a front page, not a manual

# Pages other branches are writing; linked from the README already.  The lead empties this at
# merge, once they exist.
PAGES_TO_COME: "set[str]" = set()

# Pages whose blocks train for more than a few seconds: CI runs them, the quick run does not.
SLOW_PAGES = {"docs/convolutions.md"}

# The docs' headline CNN result: the page's first block trains examples/digits_cnn.py's network
# (test_examples.py holds the two to one recipe) and prints its test accuracy.  Seed 0 gave
# 98.44%, split seeds 1 and 2 98.0% and 98.2%: the page promises 98%.
CNN_MIN_TEST_ACCURACY = 0.98

# What a page's blocks must print where its text states the result.
PRINTED_CLAIMS = {
    "docs/convolutions.md": lambda out: accuracy_printed(out) >= CNN_MIN_TEST_ACCURACY,
    "docs/files-and-faults.md": lambda out: (
        "refused: layers[0] (Conv2D) on inputs 1×40×40" in out and "(1, 40, 40)" in out),
}

# Pages that document code another branch is writing (compile=True, history.compiled): their
# blocks are expected to fail until it lands.  The lead empties this at merge.
PAGES_AWAITING_CODE: "set[str]" = set()

# Modules a block may import that purenn never needs: a block naming one runs only with it.
ORACLE_MODULES = ("numpy", "torch", "onnxruntime", "onnx")

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def name(page):
    return page.relative_to(ROOT).as_posix()


def blocks(page, language):
    return [code for lang, code in FENCE.findall(page.read_text("utf-8")) if lang == language]


def oracles_of(code):
    return {module for module in ORACLE_MODULES
            if re.search(rf"^\s*(import|from) [\w, ]*\b{module}\b", code, re.MULTILINE)}


def page_params():
    for page in PAGES:
        if blocks(page, "python"):
            marks = [pytest.mark.slow] if name(page) in SLOW_PAGES else []
            if name(page) in PAGES_AWAITING_CODE:
                marks.append(pytest.mark.xfail(reason="documents code still to come"))
            yield pytest.param(page, id=name(page), marks=marks)


def accuracy_printed(out):
    found = re.search(r"'accuracy': ([0-9.]+)", out)
    return float(found.group(1)) if found else 0.0


def run_pasted(code, cwd):
    """Run ``code`` in a fresh interpreter in ``cwd`` (the purenn under test importable);
    return what it printed."""
    require_native("start processes")
    script = pathlib.Path(cwd) / "pasted.py"
    script.write_text(code, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=cwd,
        env=environment(), check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


@pytest.mark.parametrize("page", list(page_params()))
def test_the_python_blocks_of_a_page_run_in_order(page, tmp_path):
    plain = [code for code in blocks(page, "python") if not oracles_of(code)]
    out = run_pasted("\n".join(plain), tmp_path)
    claim = PRINTED_CLAIMS.get(name(page))
    assert claim is None or claim(out), out[-3000:]


def test_negative_control_a_page_that_prints_another_result_fails():
    assert not PRINTED_CLAIMS["docs/convolutions.md"]("{'loss': 0.1, 'accuracy': 0.9755}")
    assert not PRINTED_CLAIMS["docs/files-and-faults.md"]("(1, 40, 40)")


def test_negative_control_a_block_that_uses_what_no_block_defined_fails(tmp_path):
    # The README's training example once used X before any block defined it.
    code = "import purenn as pn\nnet = pn.Network([pn.Dense(2, 1)])\nnet.fit(X, Y)\n"
    with pytest.raises(AssertionError, match="NameError: name 'X' is not defined"):
        run_pasted(code, tmp_path)


@pytest.mark.parametrize(
    "page", [p for p in page_params() if any(map(oracles_of, blocks(p.values[0], "python")))]
)
def test_the_blocks_that_need_an_oracle_run_with_it(page, tmp_path):
    codes = blocks(page, "python")
    for module in sorted(set().union(*map(oracles_of, codes))):
        require(module)
    run_pasted("\n".join(codes), tmp_path)


# -- shell commands ----------------------------------------------------------------------------


def commands():
    """(page, words) of every ``python3 …`` command in a sh block or a `$ ` example."""
    for page in PAGES:
        lines = [line for code in blocks(page, "sh") for line in code.splitlines()]
        lines += [line[2:] for code in blocks(page, "") for line in code.splitlines()
                  if line.startswith("$ ")]
        for line in lines:
            for command in re.split(r"&&|\|", line.split(" #")[0]):
                words = shlex.split(command.replace(">", " > "))
                if words and words[0] == "python3":
                    yield pytest.param(page, words, id=f"{name(page)}: {' '.join(words)}")


def inline_commands():
    """(page, words) of every `python3 …` in running text (a table, a sentence)."""
    for page in PAGES:
        text = FENCE.sub("", page.read_text("utf-8"))
        for span in re.findall(r"`(python3 [^`]*)`", text):
            words = span.split()
            yield pytest.param(page, words, id=f"{name(page)}: {span}")


@pytest.mark.parametrize(("page", "words"), list(inline_commands()))
def test_every_python3_command_in_the_text_names_something_that_exists(page, words):
    if words[1] == "-m":
        assert importlib.util.find_spec(words[2]) is not None or words[2] in ("venv", "pip")
    elif not words[1].startswith("-"):
        assert (ROOT / words[1]).is_file(), f"{name(page)}: {words[1]} does not exist"


@pytest.mark.parametrize(("page", "words"), list(commands()))
def test_every_python3_command_names_something_that_exists(page, words):
    if words[1] == "-m":
        module = words[2]
        assert importlib.util.find_spec(module) is not None or module in ("venv", "pip"), module
        if module == "purenn" and words[3:4] != ["playground"]:
            arguments = words[3: words.index(">")] if ">" in words else words[3:]
            parsed, extra = cli.build_parser().parse_known_args(
                cli.with_default_command(arguments))
            assert extra == [] and callable(parsed.run), words
    elif not words[1].startswith("-"):
        assert (ROOT / words[1]).is_file(), f"{name(page)}: {words[1]} does not exist"


def test_the_readme_csv_commands_run(tmp_path, monkeypatch):
    section = README.read_text("utf-8").split("\n## Your own CSV", 1)[1].split("\n## ", 1)[0]
    (code,) = blocks_in(section, "sh")
    monkeypatch.chdir(tmp_path)
    lines = code.strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        words = shlex.split(line.replace("examples/", f"{ROOT}/examples/"))
        output = None
        if ">" in words:
            words, output = words[: words.index(">")], words[words.index(">") + 1]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert cli.main(words[3:]) == 0, line
        if output:
            pathlib.Path(output).write_text(printed.getvalue(), encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == [
        "moons.json", "moons.labels.json", "moons_model.py", "predicted.csv"]


def blocks_in(text, language):
    return [code for lang, code in FENCE.findall(text) if lang == language]


# -- links -------------------------------------------------------------------------------------


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page):
    text = FENCE.sub("", page.read_text("utf-8"))
    return {slug(heading) for heading in re.findall(r"^#+ (.*)$", text, re.MULTILINE)}


def links(page):
    text = FENCE.sub("", page.read_text("utf-8"))
    return [target for target in LINK.findall(text) if not re.match(r"\w+:", target)]


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_relative_link_leads_somewhere(page):
    for target in links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if linked in {(ROOT / to_come).resolve() for to_come in PAGES_TO_COME}:
            continue
        assert linked.exists(), f"{name(page)} links {target}, which does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{name(page)} links {target}: no such heading"


def test_the_readme_links_every_page_and_every_page_links_back():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in links(README)}
    for page in PAGES[1:]:
        assert page.resolve() in linked, f"the README does not link {name(page)}"
        back = {target.partition("#")[0] for target in links(page)}
        assert "../README.md" in back, f"{name(page)} does not link back to the README"
    for page in PAGES_TO_COME:
        assert (ROOT / page).resolve() in linked, f"the README does not link {page}"


def test_the_readme_is_a_front_page():
    assert len(README.read_text("utf-8").splitlines()) <= README_MAX_LINES


# -- examples in docstrings --------------------------------------------------------------------


def user_facing():
    """(qualified name, docstring, owner's docstring) of every class, function, method and
    property a user calls: the names purenn and its tool packages export, and their members."""
    modules = [pn, pn.gradient_checking, pn.plot, pn.datasets, pn.formats]
    seen = set()
    for module in modules:
        for public in module.__all__:
            value = getattr(module, public)
            if not (inspect.isclass(value) or inspect.isfunction(value)) or value in seen:
                continue
            seen.add(value)
            yield public, value.__doc__, ""
            if inspect.isclass(value):
                yield from members(public, value)


def members(public, cls):
    for member, attribute in vars(cls).items():
        if member.startswith("_") and member != "__call__":
            continue
        function = attribute.fget if isinstance(attribute, property) else attribute
        function = getattr(function, "__func__", function)
        if inspect.isfunction(function):
            # A property may be shown in its class's example instead (result.ok, …).
            owner = cls.__doc__ if isinstance(attribute, property) else ""
            yield f"{public}.{member}", function.__doc__, owner


def test_every_public_class_function_and_method_has_an_example():
    missing = [
        qualified for qualified, doc, owner in user_facing()
        if ">>> " not in (doc or "")
        and not re.search(rf">>> .*\.{re.escape(qualified.rpartition('.')[2])}\b", owner or "")
    ]
    assert missing == [], f"{len(missing)} without a >>> example: {', '.join(missing)}"
