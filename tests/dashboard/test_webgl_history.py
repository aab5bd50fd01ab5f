"""A big store's history chart is drawn with WebGL (plotly's scattergl) in headless Chromium,
and its points really reach the screen (SwiftShader renders WebGL where there is no GPU)."""
import io
import json

import pytest

from symsearch.dashboard import DashboardServer
from symsearch.store import SqliteStore
from tests.dashboard.browser import Browser, require_chromium

NUM_TRIALS = 6000          # above the page's 5,000-point switch from SVG to WebGL


def write_store(path: str) -> None:
    with SqliteStore(path, commit_interval=5.0) as store:
        store.acquire_lease()
        store.initialize({"objective": ["min:loss"], "algorithm": "Random", "name": "big"},
                         json.dumps({"x": {"_type": "floatv", "lo": 0.0, "hi": 1.0,
                                           "scale": "linear"}}), "test")
        for i in range(NUM_TRIALS):
            x = (i * 7919 % NUM_TRIALS) / NUM_TRIALS
            trial_id = store.start_trial([x], json.dumps({"x": x}), structural_hash=f"{i:032x}")
            store.finish_trial(trial_id, "done", metrics={"loss": x})


@pytest.mark.timeout(60)
def test_big_history_is_drawn_with_webgl(tmp_path):
    require_chromium()
    pytest.importorskip("websocket")
    image = pytest.importorskip("PIL.Image")
    path = str(tmp_path / "big.db")
    write_store(path)
    browser = Browser(tmp_path / "chromium-profile")
    try:
        with DashboardServer([path]) as server:
            browser.goto(server.url)
            browser.wait_for("performance.getEntriesByName('history-drawn').length", timeout=30)
            traces = browser.evaluate(
                "document.getElementById('overview-chart').data.map((t) => [t.type, t.name, "
                "t.x.length])")
            assert ["scattergl", "done", NUM_TRIALS] in traces      # every trial, none dropped
            assert [t[0] for t in traces if t[1] == "best so far"] == ["scatter"]
            note = browser.evaluate("(document.querySelector('.notifier-note') || {})"
                                    ".textContent || ''")
            assert "WebGL" not in note, note
            assert browser.evaluate("document.querySelectorAll('#overview-chart canvas')"
                                    ".length") >= 1
            shot = browser.screenshot(tmp_path / "webgl.png")
    finally:
        browser.close()
    # The 'done' markers' colour (#1f77b4) covers far more of the screen than a legend swatch.
    pixels = list(image.open(io.BytesIO(shot.read_bytes())).convert("RGB").getdata())
    blue = sum(1 for r, g, b in pixels if abs(r - 0x1f) < 40 and abs(g - 0x77) < 40
               and abs(b - 0xb4) < 40)
    assert blue > 5000, blue
