"""``symsearch dashboard``: argument errors are clear; the command serves the page."""
import os
import subprocess
import sys
import time
import urllib.request

from symsearch.cli.main import main


def test_bad_stores_and_ports_are_user_errors(tmp_path, capsys):
    assert main(["dashboard", str(tmp_path / "nope.db")]) == 2
    assert "no experiment store or folder at" in capsys.readouterr().err
    (tmp_path / "text.db").write_text("hello")
    assert main(["dashboard", str(tmp_path / "text.db")]) == 2
    assert "is not a symsearch experiment store" in capsys.readouterr().err
    assert main(["dashboard", str(tmp_path), "--port", "70000"]) == 2
    assert "--port: expected 0..65535" in capsys.readouterr().err


def test_the_command_serves_the_store(searched_store):
    process = subprocess.Popen(
        [sys.executable, "-m", "symsearch", "dashboard", str(searched_store), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()
        assert line.startswith("symsearch dashboard: http://127.0.0.1:"), line
        url = line.split()[2]
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url + "api/stores/search/overview", timeout=5) as r:
                    assert b'"trials":12' in r.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
