"""The playground: a web page that trains purenn networks in the browser, with Pyodide.

``python3 -m purenn playground`` serves it (``purenn.cli.playground``).  The page
(``index.html``, ``playground.js``) loads Pyodide, copies purenn's own source files into
Pyodide's file system, and drives a ``purenn.playground.session.Session``: the Python that runs
inside the browser, and that the tests also run natively.  Everything the page shows is computed
by purenn and drawn by ``purenn.plot``.  Nothing in purenn's core imports this package.
"""

from purenn.playground.session import DATASETS, Session

__all__ = ["DATASETS", "Session"]
