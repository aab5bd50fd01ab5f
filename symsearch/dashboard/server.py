"""Running the dashboard: ``serve`` (blocking, what ``symsearch dashboard`` calls) and
``DashboardServer`` (a server in a background thread, for tests and notebooks).

>>> # with DashboardServer("runs/x.db") as server:   # doctest: +SKIP
>>> #     print(server.url)                          # http://127.0.0.1:PORT/
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Any, Optional

from symsearch.dashboard.app import create_app


def _require_uvicorn() -> Any:
    try:
        import uvicorn
        import starlette  # noqa: F401
    except ImportError:
        raise ImportError('the dashboard needs starlette, uvicorn and plotly: '
                          'pip install "symsearch[dashboard]"') from None
    return uvicorn


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one). OSError names the address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.listen(128)
    return sock


def _server(stores: Any, log_level: str) -> Any:
    uvicorn = _require_uvicorn()
    app = create_app(stores)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
    return uvicorn.Server(config)


def serve(stores: Any, host: str = "127.0.0.1", port: int = 8080,
          on_ready: Optional[Any] = None, log_level: str = "warning") -> None:
    """Serves the dashboard for ``stores`` (store files and folders) until Ctrl-C."""
    server = _server(stores, log_level)
    sock = bind(host, port)
    if on_ready is not None:
        on_ready(sock.getsockname()[1])
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class DashboardServer:
    """The dashboard served from a background thread on ``host`` and a free port (or
    ``port``); ``url`` is its address. Use it as a context manager, or call ``stop()``."""

    def __init__(self, stores: Any, host: str = "127.0.0.1", port: int = 0,
                 log_level: str = "warning") -> None:
        self._server = _server(stores, log_level)
        self._sock = bind(host, port)
        self.host, self.port = host, self._sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}/"
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True,
                                        name="symsearch-dashboard")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError("the dashboard server did not start within 10 s")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> "DashboardServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
