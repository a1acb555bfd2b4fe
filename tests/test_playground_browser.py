"""The playground in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver, loads the page from ``python3 -m purenn playground``'s server with Pyodide from a
local copy (offline), trains the seed example, and runs the gradient check.

Needs selenium, chromium, chromedriver and a copy of the npm package pyodide: PURENN_PYODIDE,
or ``.oracles/node_modules/pyodide`` (``npm install --prefix .oracles pyodide@314.0.7``, as
.ci/run does).  Each one missing skips with its name; CI's dev job requires them all.
"""

import json
import os
import pathlib
import time

import pytest
from oracles import require, require_native, require_program, unavailable

from purenn.cli.playground import PYODIDE_VARIABLE, make_server, serve_in_background
from purenn.playground import Session

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCAL_PYODIDE = ROOT / ".oracles" / "node_modules" / "pyodide"
PAGE_SECONDS = 180  # loading Pyodide and training, at WebAssembly's speed on a busy CI machine
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1200,1250",
]


def pyodide_folder():
    folder = pathlib.Path(os.environ.get(PYODIDE_VARIABLE) or LOCAL_PYODIDE)
    if not (folder / "pyodide.mjs").is_file():
        unavailable("pyodide", f"no pyodide.mjs in {folder}: set {PYODIDE_VARIABLE}, or npm "
                               "install --prefix .oracles pyodide@314.0.7")
    return folder


@pytest.fixture
def browser(tmp_path):
    require_native("start a browser")
    webdriver = require("selenium.webdriver")
    chromium = require_program("chromium")
    chromedriver = require_program("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(chromedriver), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def page():
    server = make_server(0, str(pyodide_folder()))
    yield serve_in_background(server)
    server.shutdown()
    server.server_close()


def wait_for(driver, state):
    """Until the page's status says ``state`` (its data-done attribute); its status text."""
    deadline = time.monotonic() + PAGE_SECONDS
    status = driver.find_element("id", "status")
    while time.monotonic() < deadline:
        if status.get_attribute("data-done") == state:
            return status.text
        if status.text.startswith(("error", "could not start")):
            pytest.fail(f"the page says: {status.text}")
        time.sleep(0.2)
    pytest.fail(f"the page did not get to {state!r} in {PAGE_SECONDS} s: {status.text}")


def test_the_seed_example_trains_in_the_browser_as_natively_and_its_gradients_check(
    browser, page, tmp_path
):
    browser.get(page)
    assert "in WebAssembly" in wait_for(browser, "ready")
    browser.find_element("id", "train").click()  # the defaults: the seed example, 1500 epochs
    assert "trained 1500 epochs" in wait_for(browser, "trained")
    status = browser.find_element("id", "status")
    assert float(status.get_attribute("data-loss")) < float(status.get_attribute("data-first-loss"))
    shown = json.loads(browser.find_element("id", "predictions").get_attribute("data-exact"))
    native = Session("seed", learning_rate=1.0).train(1500)["predictions"]
    assert shown == native  # Pyodide's CPython gives the native bits
    assert browser.find_element("css selector", "#loss svg") is not None
    browser.find_element("id", "check").click()
    assert wait_for(browser, "check passed") == "gradient check PASSED"
    assert "PASSED" in browser.find_element("id", "check-table").text
    assert browser.find_element("css selector", "#sweep svg") is not None
    screenshot = tmp_path / "playground.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 20_000  # a page with pictures, not a blank one
