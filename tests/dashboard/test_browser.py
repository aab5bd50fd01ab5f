"""The dashboard in headless Chromium: what a person sees on a store written by a real search,
a trial added while the page is open, and a hostile store shown as text."""
import json
import math

import pytest

from symsearch.dashboard import DashboardServer
from symsearch.store import SqliteStore, load_experiment
from tests.dashboard.browser import Browser, require_chromium
from tests.dashboard.conftest import run_search


@pytest.fixture
def browser(tmp_path):
    require_chromium()
    pytest.importorskip("websocket")
    b = Browser(tmp_path / "chromium-profile")
    yield b
    b.close()


def test_page_shows_a_live_search(searched_store, browser, tmp_path):
    best = load_experiment(searched_store).best("min:loss")
    with DashboardServer([searched_store]) as server:
        browser.goto(server.url)
        browser.wait_for("document.getElementById('trial-count').textContent === '12'")
        assert math.isclose(float(browser.text("best-value")), best.metrics["loss"],
                            rel_tol=1e-3)
        assert browser.text("best-trial") == f"trial {best.id}"
        # A rendered chart: plotly's SVG with one point per trial (done) and the best line.
        points = browser.wait_for(
            "document.querySelectorAll('#overview-chart svg path.point').length")
        assert points == 12
        browser.evaluate("window.notReloaded = true")

        browser.click("#tabs button[data-view='trials']")
        browser.wait_for("document.querySelectorAll('#trial-table tbody tr').length === 12")
        browser.click("#trial-table tbody tr[data-id='3']")
        browser.wait_for("!document.getElementById('trial-detail').hidden && "
                         "document.querySelector('#trial-detail h2') && "
                         "document.querySelector('#trial-detail h2').textContent === 'Trial 3'")
        detail = browser.text("trial-detail")
        trial = load_experiment(searched_store).trial(3)
        assert f"{trial.metrics['loss']!r}" in detail              # the metric, in full
        assert "key path" in detail and "intermediate reports (3)" in detail
        browser.screenshot(tmp_path / "trials.png")

        browser.click("#tabs button[data-view='overview']")
        run_search(searched_store, 13, resume=True)     # the search writes one more trial
        browser.wait_for("document.getElementById('trial-count').textContent === '13'",
                         timeout=10)
        browser.wait_for("document.querySelectorAll('#overview-chart svg path.point')"
                         ".length === 13", timeout=10)
        assert browser.evaluate("window.notReloaded") is True      # no reload happened
        shot = browser.screenshot(tmp_path / "dashboard.png")
        assert shot.stat().st_size > 20000


HOSTILE = "<script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"


def hostile_store(path):
    with SqliteStore(path) as store:
        store.initialize({"objective": [f"min:{HOSTILE}"], "name": HOSTILE}, None, "fp")
        for i in range(3):
            trial_id = store.start_trial([i], candidate_json=json.dumps(
                {"_type": HOSTILE, HOSTILE: HOSTILE, "x": i}))
            store.finish_trial(trial_id, "done", metrics={HOSTILE: float(i), "ok": 1})
        failed = store.start_trial([9], candidate_json=json.dumps({"x": HOSTILE}))
        store.finish_trial(failed, "failed", error=f"Traceback: {HOSTILE}")
    return path


def test_hostile_store_renders_as_text(tmp_path, browser):
    path = hostile_store(tmp_path / "hostile.db")
    with DashboardServer([path]) as server:
        browser.goto(server.url)
        browser.wait_for("document.getElementById('trial-count').textContent === '4'")
        browser.click("#tabs button[data-view='trials']")
        browser.wait_for("document.querySelectorAll('#trial-table tbody tr').length === 4")
        for trial_id in (0, 3):
            browser.evaluate(f"openTrial({trial_id})")
            browser.wait_for(f"document.querySelector('#trial-detail h2') && document."
                             f"querySelector('#trial-detail h2').textContent === "
                             f"'Trial {trial_id}'")
            detail = browser.text("trial-detail")
            assert HOSTILE in detail                       # shown, as the characters it is
        assert HOSTILE in browser.text("trial-table")
        assert browser.evaluate("document.querySelector('.trial-error').textContent") == \
            f"Traceback: {HOSTILE}"
        browser.click("#tabs button[data-view='history']")
        browser.wait_for("document.querySelectorAll('#history-chart svg path.point').length")
        assert browser.evaluate("typeof window.pwned") == "undefined"
        assert browser.evaluate("document.querySelectorAll('img').length") == 0
        assert browser.evaluate("document.scripts.length") == 2   # plotly.js and ours only


def test_programs_view_shows_the_best_program_and_a_diff(program_store, browser):
    with DashboardServer([program_store]) as server:
        browser.goto(server.url)
        browser.wait_for("document.getElementById('trial-count').textContent === '12'")
        browser.click("#tabs button[data-view='programs']")
        source = browser.wait_for("document.getElementById('program-source').textContent")
        assert source == "def program(x):\n    y = mul(x, 2.0)\n    return y"
        diff = browser.wait_for("document.getElementById('program-diff').textContent")
        assert "+    y = mul(x, 2.0)" in diff and "-    y = mul(x, " in diff
