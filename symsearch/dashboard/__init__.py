"""A live web dashboard over experiment stores (``symsearch dashboard runs/x.db``).

The app (Starlette, served by uvicorn) reads stores read-only while searches write them and
serves one page whose charts are drawn by plotly.js, served from the installed plotly
package, so it works with no network. Needs ``pip install "symsearch[dashboard]"``; importing
this package does not import starlette until an app is created.

>>> from symsearch.dashboard import DashboardServer   # doctest: +SKIP
>>> with DashboardServer("runs/x.db") as server:      # doctest: +SKIP
...     print(server.url)
"""
from symsearch.dashboard.app import create_app
from symsearch.dashboard.catalog import StoreCatalog
from symsearch.dashboard.server import DashboardServer, serve

__all__ = ["create_app", "serve", "DashboardServer", "StoreCatalog"]
