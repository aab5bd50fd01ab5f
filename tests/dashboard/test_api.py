"""The dashboard's JSON API through Starlette's test client: values, errors, headers."""
import json

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from symsearch.dashboard import create_app  # noqa: E402
from symsearch.store import load_experiment  # noqa: E402
from tests.dashboard.test_browser import HOSTILE, hostile_store  # noqa: E402


@pytest.fixture
def client(searched_store):
    with TestClient(create_app([searched_store])) as c:
        yield c


def test_page_and_static_files_need_no_network(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/dashboard.js" in page.text
    script = client.get("/static/dashboard.js").text
    assert '"/static/plotly.min.js"' in script
    for text in (page.text, script):                     # nothing is fetched from outside
        assert "http:" not in text and "https:" not in text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_overview_history_and_trials(client, searched_store):
    experiment = load_experiment(searched_store)
    best = experiment.best("min:loss")
    assert client.get("/api/stores").json()["stores"][0]["id"] == "search"
    overview = client.get("/api/stores/search/overview").json()
    assert overview["trials"] == 12 and overview["best"]["id"] == best.id
    history = client.get("/api/stores/search/history").json()
    losses = [t.metrics["loss"] for t in experiment.trials]
    assert history["ids"] == list(range(12)) and history["values"][0] == losses
    assert history["statuses"] == "d" * 12
    running = [min(losses[:i + 1]) for i in range(12)]
    changes = [i for i in range(12) if i == 0 or running[i] < running[i - 1]]
    steps = history["best"][0]
    assert steps["ids"] == changes + ([11] if changes[-1] != 11 else [])
    assert steps["values"] == [running[i] for i in steps["ids"]]
    page = client.get("/api/stores/search/trials?sort=value&limit=3").json()
    assert page["total"] == 12 and [r["id"] for r in page["rows"]][0] == best.id
    assert [r["values"][0] for r in page["rows"]] == sorted(losses)[:3]
    detail = client.get(f"/api/stores/search/trials/{best.id}").json()
    assert dict(detail["metrics"])["loss"] == repr(best.metrics["loss"])
    assert [r["step"] for r in detail["reports"]] == [1, 2, 3]
    assert {d["name"] for d in detail["decisions"]} >= {"x", "act", "n"}


def test_decisions_importance_intermediate_and_diff(client):
    decisions = client.get("/api/stores/search/decisions").json()
    assert decisions["total"] == 12 and len(decisions["columns"]) == 4
    importance = client.get("/api/stores/search/importance?method=ped-anova").json()
    overall = [r for r in importance["rows"] if r["scope"] == "all trials"]
    assert abs(sum(r["importance"] for r in overall) - 1) < 1e-6
    curves = client.get("/api/stores/search/intermediate").json()["curves"]
    assert len(curves) == 12 and curves[0]["steps"] == [1, 2, 3]
    lines = client.get("/api/stores/search/diff?a=0&b=1").json()["lines"]
    assert lines[0] == "--- trial 0" and any(line.startswith("+x = ") for line in lines)


def test_bad_requests_name_the_problem(client):
    assert client.get("/api/stores/nope/overview").status_code == 404
    r = client.get("/api/stores/search/trials/999")
    assert r.status_code == 404 and "999" in r.json()["error"]
    r = client.get("/api/stores/search/trials?status=sleeping")
    assert r.status_code == 400 and "status='sleeping'" in r.json()["error"]
    r = client.get("/api/stores/search/trials?limit=x")
    assert r.status_code == 400 and "limit='x'" in r.json()["error"]
    r = client.get("/api/stores/search/importance?method=magic")
    assert r.status_code == 400 and "method='magic'" in r.json()["error"]
    r = client.get("/api/stores/search/diff?a=0")
    assert r.status_code == 400 and "'b' is required" in r.json()["error"]


def test_a_folder_of_stores(tmp_path, searched_store):
    hostile_store(tmp_path / "other.db")
    with TestClient(create_app([tmp_path])) as c:
        ids = [s["id"] for s in c.get("/api/stores").json()["stores"]]
        assert ids == ["other", "search"]
        assert c.get("/api/stores/other/overview").json()["trials"] == 4


def test_hostile_strings_are_passed_on_as_data(tmp_path):
    path = hostile_store(tmp_path / "hostile.db")
    with TestClient(create_app([path])) as c:
        detail = c.get("/api/stores/hostile/trials/0").json()
        assert [HOSTILE, "0.0"] in detail["metrics"]
        assert [f"{HOSTILE}", repr(HOSTILE)] in detail["candidate"]
        assert c.get("/api/stores/hostile/trials/3").json()["error"] == f"Traceback: {HOSTILE}"
        assert json.loads(c.get("/api/stores/hostile/overview").text)["name"] == HOSTILE


def test_program_source_and_diff(program_store):
    from symsearch.store import load_experiment
    trials = load_experiment(program_store).trials
    by_constant = {t.metrics["loss"]: t.id for t in trials if t.metrics}
    assert {2.0, 5.0} <= set(by_constant)
    with TestClient(create_app([program_store])) as c:
        detail = c.get(f"/api/stores/programs/trials/{by_constant[2.0]}").json()
        assert detail["source"] == "def program(x):\n    y = mul(x, 2.0)\n    return y"
        lines = c.get(f"/api/stores/programs/diff?a={by_constant[5.0]}"
                      f"&b={by_constant[2.0]}").json()["lines"]
        assert "-    y = mul(x, 5.0)" in lines and "+    y = mul(x, 2.0)" in lines
