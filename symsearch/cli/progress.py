"""A progress bar for searches: trials done/failed/cached, best so far, and time left.

Pass it to ``ss.search(..., callbacks=[SearchProgress()])``; ``symsearch run`` does. The bar
(drawn with rich) shows only when stdout is a terminal, unless ``enabled=True``; the summary
line at the end is always printed::

    symsearch: 30 trials (28 done, 0 failed, 2 cached) in 11.8s; best accuracy=0.9711

>>> import io
>>> out = io.StringIO()
>>> progress = SearchProgress(file=out)
>>> progress.enabled                      # a StringIO is not a terminal
False
"""
from __future__ import annotations

import sys
import time
from typing import IO, Any, Optional


def _format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def best_text(driver: Any) -> str:
    """``accuracy=0.9711`` for the driver's best metrics on its objectives ('' when none)."""
    metrics = getattr(driver, "best_metrics", None)
    objectives = getattr(driver, "objectives", None)
    if not metrics or objectives is None:
        return ""
    parts = [f"{name}={_format_number(metrics[name])}" for name in objectives.names
             if name in metrics]
    return ", ".join(parts)


def _bar_best(driver: Any) -> str:
    text = best_text(driver)
    return f"best {text}" if text else ""


def counts_text(counts: dict) -> str:
    parts = [f"{counts.get(s, 0)} {s}" for s in ("done", "failed", "cached")]
    if counts.get("pruned"):
        parts.append(f"{counts['pruned']} pruned")
    return ", ".join(parts)


def cache_text(driver: Any) -> str:
    """Cache statistics of this run: hits, hashing time and evaluation time saved."""
    cache = getattr(driver, "cache", None)
    if cache is None:
        return ""
    st = cache.stats()
    return (f"cache {st['hits']} hits, hashing {st['hash_time']:.2f}s, "
            f"~{st['saved_time']:.1f}s saved")


def short_counts_text(counts: dict) -> str:
    parts = [f"{s} {counts.get(s, 0)}" for s in ("done", "failed", "cached")]
    if counts.get("pruned"):
        parts.append(f"pruned {counts['pruned']}")
    return " ".join(parts)


class SearchProgress:
    """Search callback drawing a rich progress bar and printing a summary line.

    Args:
      enabled: True draws the bar even when stdout is not a terminal, False never draws it,
        None (default) draws it on a terminal only.
      file: where to write (default: ``sys.stdout`` at the time of the search).
      summary: print the final summary line.
    """

    def __init__(self, enabled: Optional[bool] = None, file: Optional[IO] = None,
                 summary: bool = True):
        self._file = file
        self._forced = enabled
        self.summary = summary
        self._progress = None
        self._task = None
        self._started = 0.0
        self._initial = 0
        self._deadline: Optional[float] = None
        self.summary_line: Optional[str] = None

    @property
    def file(self) -> IO:
        return self._file if self._file is not None else sys.stdout

    @property
    def enabled(self) -> bool:
        if self._forced is not None:
            return bool(self._forced)
        isatty = getattr(self.file, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # closed file
            return False

    # ---- callback protocol ------------------------------------------------------------------
    def on_search_start(self, driver: Any, num_trials: Optional[int],
                        time_budget: Optional[float]) -> None:
        self._started = time.monotonic()
        self._initial = driver.num_finished
        self._deadline = self._started + time_budget if time_budget else None
        self._progress = self._task = None
        if not self.enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                                       TextColumn)
        except ImportError:  # rich is optional: pip install "symsearch[progress]"
            return
        console = Console(file=self.file, force_terminal=True if self._forced else None,
                          highlight=False)
        columns = [SpinnerColumn(), BarColumn(bar_width=20),
                   MofNCompleteColumn() if num_trials else TextColumn("{task.completed} trials"),
                   TextColumn("{task.fields[counts]}"), TextColumn("{task.fields[cache]}"),
                   TextColumn("[green]{task.fields[best]}"),
                   _time_column()]
        self._progress = Progress(*columns, console=console, transient=False,
                                  refresh_per_second=8)
        self._task = self._progress.add_task(
            "search", total=num_trials, completed=driver.num_finished,
            counts=short_counts_text(driver.counts), best=_bar_best(driver),
            cache=cache_text(driver), deadline=self._deadline, initial=self._initial, started=self._started)
        self._progress.start()

    def on_trial_end(self, driver: Any, trial_id: int, status: str, metrics: Optional[dict],
                     error: Optional[str]) -> None:
        if self._progress is None:
            return
        self._progress.update(self._task, completed=driver.num_finished,
                              counts=short_counts_text(driver.counts), best=_bar_best(driver),
                              cache=cache_text(driver))

    def on_search_end(self, driver: Any) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=driver.num_finished,
                                  counts=short_counts_text(driver.counts),
                                  best=_bar_best(driver))
            self._progress.stop()
            self._progress = None
        elapsed = time.monotonic() - self._started if self._started else 0.0
        total = driver.num_finished
        this_run = total - self._initial
        resumed = f", {this_run} in this run" if self._initial else ""
        best = best_text(driver)
        cache = cache_text(driver)
        line = (f"symsearch: {total} trials ({counts_text(driver.counts)}{resumed}) in "
                f"{elapsed:.1f}s; " + (f"{cache}; " if cache else "")
                + (f"best {best}" if best else "no successful trial"))
        self.summary_line = line
        if self.summary:
            print(line, file=self.file, flush=True)


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _time_column():
    """``elapsed<left``: time left by the trial rate, capped by the time budget."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class TimeColumn(ProgressColumn):
        max_refresh = 0.5

        def render(self, task) -> Text:
            now = time.monotonic()
            remaining = None
            done = task.completed - task.fields.get("initial", 0)
            elapsed = now - task.fields.get("started", now)
            if task.total is not None and done > 0 and elapsed > 0:
                remaining = max(0.0, (task.total - task.completed) * elapsed / done)
            deadline = task.fields.get("deadline")
            if deadline is not None:
                left = max(0.0, deadline - now)
                remaining = left if remaining is None else min(remaining, left)
            left = "?" if remaining is None or task.finished else _clock(remaining)
            if task.finished:
                left = "0:00"
            return Text(f"{_clock(elapsed)}<{left}", style="progress.remaining")

    return TimeColumn()
