"""``python3 -m purenn playground``: serve the playground page on 127.0.0.1.

The server (the standard library's ``http.server``) answers four kinds of path, and nothing else:

    /, /index.html, /playground.js   the page (``purenn/playground/``)
    /config.json                     where the page finds Pyodide
    /purenn/files.json, /purenn/…    the list of purenn's files, and each of them, as installed
    /pyodide/…                       a local copy of Pyodide, when one is configured

Pyodide comes from ``--pyodide DIR`` or the environment variable PURENN_PYODIDE (a folder such
as ``node_modules/pyodide`` after ``npm install pyodide@314.0.7``), and from the public copy at
PYODIDE_CDN otherwise, so the page works offline once a local copy is configured.
"""

from __future__ import annotations

import argparse
import http.server
import json
import mimetypes
import os
import pathlib
import threading

from purenn.cli.options import CommandParser, UsageError, add_command

__all__ = [
    "PYODIDE_VERSION",
    "PYODIDE_CDN",
    "PYODIDE_VARIABLE",
    "package_files",
    "make_server",
    "serve_in_background",
    "add_playground_command",
]

PYODIDE_VERSION = "314.0.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/npm/pyodide@{PYODIDE_VERSION}/"
"""The npm package ``pyodide`` as jsDelivr serves it: the same files as a local copy."""
PYODIDE_VARIABLE = "PURENN_PYODIDE"

PACKAGE = pathlib.Path(__file__).resolve().parent.parent  # the installed purenn/
PAGE = PACKAGE / "playground"
PAGE_FILES = {"/": "index.html", "/index.html": "index.html", "/playground.js": "playground.js"}
# Browsers insist on these types for modules and WebAssembly; older mimetypes tables lack them.
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
         ".json": "application/json", ".html": "text/html; charset=utf-8"}

_EXAMPLE = """\
example:
  %(prog)s
      serve the page on http://127.0.0.1:8000/ (Pyodide from its public copy)
  npm install pyodide@314.0.7 && %(prog)s --pyodide node_modules/pyodide --port 0
      offline, on a free port: Pyodide from the local copy
"""


def package_files(root: pathlib.Path = PACKAGE) -> list[str]:
    """The files of the installed purenn package that Pyodide needs: every module and data
    file, as paths relative to the package, sorted ("/" separated, no __pycache__).

    >>> "network.py" in package_files() and "playground/session.py" in package_files()
    True
    """
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def _inside(root: pathlib.Path, relative: str) -> pathlib.Path | None:
    """root/relative if that is a file inside root (no "..", no link out of it), else None;
    None too for a path the file system cannot look up (a NUL byte, a name too long).

    >>> _inside(PACKAGE, "network.py") is not None, _inside(PACKAGE, "x" * 5000)
    (True, None)
    """
    if "\0" in relative:
        return None  # os.stat would raise ValueError("embedded null byte")
    try:
        candidate = (root / relative).resolve()
        if candidate.is_file() and (candidate == root or root in candidate.parents):
            return candidate
    except OSError:  # ENAMETOOLONG, ELOOP, EACCES: not a file the playground serves
        pass
    return None


class PlaygroundHandler(http.server.BaseHTTPRequestHandler):
    """GET of the page, its configuration, purenn's files and a local Pyodide; 404 otherwise."""

    pyodide_dir: pathlib.Path | None = None  # set per server by make_server

    def do_GET(self) -> None:
        """Answer a GET: the file, or 404 for any path that is not the playground's."""
        path = self.path.split("?", 1)[0]
        found = self._route(path)
        if found is None:
            self.send_error(404, "not part of the playground")
            return
        body, kind = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def _route(self, path: str) -> tuple[bytes, str] | None:
        if path in PAGE_FILES:
            return _file(PAGE / PAGE_FILES[path])
        if path == "/config.json":
            local = self.pyodide_dir is not None
            config = {"pyodide": "/pyodide/" if local else PYODIDE_CDN}
            return json.dumps(config).encode(), TYPES[".json"]
        if path == "/purenn/files.json":
            return json.dumps(package_files()).encode(), TYPES[".json"]
        for prefix, root in (("/purenn/", PACKAGE), ("/pyodide/", self.pyodide_dir)):
            if path.startswith(prefix) and root is not None:
                target = _inside(root, path[len(prefix):])
                return None if target is None else _file(target)
        return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        """Quiet: the command prints its address, not a line per request."""


def _file(path: pathlib.Path) -> tuple[bytes, str]:
    kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return path.read_bytes(), kind or "application/octet-stream"


def make_server(port: int = 8000, pyodide: str | None = None) -> http.server.HTTPServer:
    """A server of the playground on 127.0.0.1:``port`` (0: a free port), with Pyodide from
    the folder ``pyodide`` (one holding ``pyodide.mjs``) or, when None, from PYODIDE_CDN.
    Raises UsageError for a folder that is not a copy of Pyodide, OSError for a port in use.

    >>> server = make_server(0)
    >>> server.server_address[0]
    '127.0.0.1'
    >>> server.server_close()
    """
    folder = None
    if pyodide is not None:
        folder = pathlib.Path(pyodide).resolve()
        if not (folder / "pyodide.mjs").is_file():
            raise UsageError(f"{pyodide}: not a copy of Pyodide (no pyodide.mjs in it); "
                             f"npm install pyodide@{PYODIDE_VERSION} puts one in "
                             "node_modules/pyodide")
    attributes: dict[str, object] = {"pyodide_dir": folder}
    handler = type("Handler", (PlaygroundHandler,), attributes)
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_in_background(server: http.server.HTTPServer) -> str:
    """Serve ``server`` from a daemon thread; its address, http://127.0.0.1:PORT/."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def add_playground_command(
    commands: argparse._SubParsersAction[CommandParser],
) -> CommandParser:
    """The ``playground`` command's parser and options.

    >>> parser = CommandParser(prog="purenn")
    >>> playground = add_playground_command(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["playground", "--port", "0"]).port
    0
    """
    playground = add_command(
        commands,
        "playground",
        "serve the playground page: train networks in the browser",
        "Serve the playground on 127.0.0.1: a page that loads Pyodide (Python in\n"
        "WebAssembly) and purenn's own files, and trains, plots and gradient-checks networks\n"
        "in the browser.  Stop it with Ctrl-C.",
        _EXAMPLE,
    )
    playground.add_argument("--port", type=int, default=8000,
                            help="port on 127.0.0.1 (default 8000; 0 picks a free one)")
    playground.add_argument(
        "--pyodide", metavar="DIR", default=os.environ.get(PYODIDE_VARIABLE),
        help=f"a local copy of Pyodide (default: ${PYODIDE_VARIABLE}, else {PYODIDE_CDN})",
    )
    playground.set_defaults(run=run_playground)
    return playground


def run_playground(args: argparse.Namespace) -> int:
    """Serve until interrupted (Ctrl-C gives exit status 130, as every command)."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0 to 65535, got {args.port}")
    server = make_server(args.port, args.pyodide)
    where = "the local copy in " + args.pyodide if args.pyodide else PYODIDE_CDN
    print(f"purenn playground on http://127.0.0.1:{server.server_address[1]}/ "
          f"(Pyodide from {where}); Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
