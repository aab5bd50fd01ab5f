"""The dashboard's web app (Starlette): the page, its static files, and the JSON API.

    GET /                                    the page (static HTML; all data comes as JSON)
    GET /static/plotly.min.js                plotly.js from the installed plotly package
    GET /static/{dashboard.js,dashboard.css} the page's own script and style
    GET /api/stores                          the stores served
    GET /api/stores/{store}/overview         counts, best, trials/s, cache, budget, version
    GET /api/stores/{store}/history          objective values and running best per trial
    GET /api/stores/{store}/trials?status=&sort=&desc=&offset=&limit=
    GET /api/stores/{store}/trials/{id}      one trial in full
    GET /api/stores/{store}/decisions        decision values per scored trial
    GET /api/stores/{store}/importance?objective=&method=ped-anova|fanova
    GET /api/stores/{store}/intermediate?objective=
    GET /api/stores/{store}/diff?a=&b=

Everything is read-only: the stores are opened with read-only connections, and the page
polls ``overview`` (its ``version`` changes when the search wrote something) to refresh.
A Content-Security-Policy allows scripts only from this server, so even a string that got
into the DOM as HTML could not run; the page renders stored strings with ``textContent``.
"""
from __future__ import annotations

import contextlib
import functools
from importlib import resources
from typing import Any, Callable, Optional

from symsearch.dashboard import views
from symsearch.dashboard.catalog import StoreCatalog

_STATIC_TYPES = {"dashboard.js": "text/javascript; charset=utf-8",
                 "dashboard.css": "text/css; charset=utf-8"}
# plotly.js builds WebGL shaders with Function(); inline styles are plotly's own.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                           "worker-src blob:; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'")


def _static_text(name: str) -> str:
    return resources.files("symsearch.dashboard").joinpath("static", name).read_text("utf-8")


@functools.lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs
    return get_plotlyjs().encode("utf-8")


def create_app(stores: Any) -> Any:
    """The Starlette app serving ``stores`` (a StoreCatalog, or paths of store files and
    folders). Needs the ``dashboard`` extra: ``pip install "symsearch[dashboard]"``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    catalog = stores if isinstance(stores, StoreCatalog) else StoreCatalog(stores)
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY,
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

    def json_response(data: Any, status: int = 200, clean: bool = False) -> Any:
        """``clean``: the data holds no NaN or infinity already (history: large, checked)."""
        return JSONResponse(data if clean else views.finite(data), status_code=status,
                            headers=headers)

    def error(status: int, message: str) -> Any:
        return json_response({"error": message}, status)

    def store_view(function: Callable, then: Optional[Callable] = None) -> Callable:
        """An endpoint over one store: ``function(live, request)`` with the entry's lock
        held, then ``then(result, request)`` (slow work on a copy: importance) without it, so
        that the page's polls are not held up; errors as JSON with a status."""
        def endpoint(request: Request) -> Any:
            try:
                entry = catalog.get(request.path_params["store"])
            except KeyError as e:
                return error(404, str(e.args[0]))
            try:
                with entry.lock:
                    data = function(entry.live(), request)
                if then is not None:
                    data = then(data, request)
                return json_response(data, clean=(then or function).__name__ == "history")
            except KeyError as e:
                return error(404, str(e.args[0]) if e.args else "not found")
            except (ValueError, TypeError) as e:
                return error(400, str(e))
            except ImportError as e:
                return error(501, str(e))
        return endpoint

    def int_param(request: Request, name: str, default: Any = None) -> Any:
        text = request.query_params.get(name)
        if text is None or text == "":
            if default is None:
                raise ValueError(f"the query parameter {name!r} is required")
            return default
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"the query parameter {name}={text!r} is not an integer") from None

    def page(request: Request) -> Any:
        return Response(_static_text("index.html"), media_type="text/html; charset=utf-8",
                        headers=headers)

    def static(request: Request) -> Any:
        name = request.path_params["name"]
        if name == "plotly.min.js":
            return Response(_plotly_js(), media_type="text/javascript; charset=utf-8",
                            headers={**headers, "Cache-Control": "max-age=86400"})
        if name not in _STATIC_TYPES:
            return error(404, f"no static file {name!r}")
        return Response(_static_text(name), media_type=_STATIC_TYPES[name], headers=headers)

    def store_list(request: Request) -> Any:
        return json_response({"stores": [{"id": e.id, "path": str(e.path)}
                                         for e in catalog.entries()]})

    def overview(live: Any, request: Request) -> dict:
        return live.overview()

    def history(live: Any, request: Request) -> dict:
        return views.history(live)

    def trials(live: Any, request: Request) -> dict:
        return views.trials_page(live, status=request.query_params.get("status") or None,
                                 sort=request.query_params.get("sort") or "id",
                                 descending=request.query_params.get("desc") in ("1", "true"),
                                 offset=int_param(request, "offset", 0),
                                 limit=int_param(request, "limit", 50))

    def trial(live: Any, request: Request) -> dict:
        try:
            trial_id = int(request.path_params["trial"])
        except ValueError:
            raise ValueError(f"{request.path_params['trial']!r} is not a trial id") from None
        return views.trial_detail(live, trial_id)

    def the_store(live: Any, request: Request) -> Any:
        return live

    def decisions(live: Any, request: Request) -> dict:
        # Outside the entry's lock: the first call reads every scored trial's DNA (seconds
        # on a big store); LiveStore.decisions has its own lock.
        return views.decisions(live)

    importance_cache: dict = {}

    def importance_key(live: Any, request: Request) -> tuple:
        objective = int_param(request, "objective", 0)
        method = request.query_params.get("method") or "ped-anova"
        return (str(live.path), live.version, objective, method), live

    def importance(prepared: tuple, request: Request) -> dict:
        key, live = prepared
        if key in importance_cache:
            return importance_cache[key]
        result = views.importance(views.importance_inputs(live, key[2]), method=key[3])
        importance_cache.clear()          # only the latest result is kept
        importance_cache[key] = result
        return result

    def intermediate(live: Any, request: Request) -> dict:
        return views.intermediate(live, objective=int_param(request, "objective", 0))

    def diff(live: Any, request: Request) -> dict:
        return views.diff(live, int_param(request, "a"), int_param(request, "b"))

    base = "/api/stores/{store}"
    routes = [
        Route("/", page), Route("/static/{name}", static), Route("/api/stores", store_list),
        Route(f"{base}/overview", store_view(overview)),
        Route(f"{base}/history", store_view(history)),
        Route(f"{base}/trials", store_view(trials)),
        Route(f"{base}/trials/{{trial}}", store_view(trial)),
        Route(f"{base}/decisions", store_view(the_store, decisions)),
        Route(f"{base}/importance", store_view(importance_key, importance)),
        Route(f"{base}/intermediate", store_view(intermediate)),
        Route(f"{base}/diff", store_view(diff)),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        yield
        catalog.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.catalog = catalog
    return app
