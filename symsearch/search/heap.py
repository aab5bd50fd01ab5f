"""What a long search asks of CPython's cyclic garbage collector: freeze the old heap.

A search keeps a little of every trial (its store record, the algorithm's population), so
the heap grows steadily, and CPython runs a *full* collection each time the objects that
survived young collections exceed a quarter of the old heap. Every full collection walks
every tracked object (in a 12,000-trial GP search: four walks of 50k-200k objects, 40% of
the framework's time per trial, although they found nothing to free). ``HeapFreezer``
moves the heap to the permanent generation (``gc.freeze()``) when the search starts, and
at trials 1,000, 2,000, 4,000, ... collects the search's own objects once and freezes what
survives: later collections walk only what is newer than the last freeze, so the garbage
collector's work is linear in the search's size.

It is safe: no garbage the search made is frozen (the collection right before each freeze
frees it), reference counting frees frozen objects as usual, and the search unfreezes
everything when it closes. What waits for that are garbage cycles among frozen objects:
those that existed before the search (freezing them at the start avoids a full collection
of the whole process) and frozen objects that form a cycle and are dropped during it. The freezer does nothing when the collector is disabled
or something else in the process froze objects already (a pre-fork server, say), and
``ss.search(..., freeze_heap=False)`` turns it off.
"""
from __future__ import annotations

import gc
from typing import Optional

#: Trials (finished) before the first freeze; each later freeze waits twice as long.
FIRST_FREEZE = 1000


class HeapFreezer:
    """Freezes the heap at trials ``first, 2 first, 4 first, ...`` (see the module docstring)."""

    __slots__ = ("_next", "_froze", "enabled")

    def __init__(self, enabled: bool = True, first: Optional[int] = None) -> None:
        self.enabled = bool(enabled)
        self._next = FIRST_FREEZE if first is None else first
        self._froze = False

    def start(self) -> None:
        """Called when the search starts: freezes the heap as it is (the process's modules
        and data, which the search's collections need not walk), without collecting it
        (a full collection of a big process costs more than a short search), so garbage
        cycles from before the search wait until it ends."""
        if not self.enabled:
            return
        if not gc.isenabled() or gc.get_freeze_count():
            self.enabled = False        # not ours to manage
            return
        gc.freeze()
        self._froze = True

    def after_trial(self, num_finished: int) -> None:
        """Called after each finished trial; cheap unless a freeze is due."""
        if num_finished < self._next or not self.enabled:
            return
        self._next = 2 * max(num_finished, 1)
        if not gc.isenabled() or (gc.get_freeze_count() and not self._froze):
            self.enabled = False        # not ours to manage
            return
        gc.collect()
        gc.freeze()
        self._froze = True

    def close(self) -> None:
        """Gives the frozen objects back to the collector (the search is over)."""
        if self._froze:
            self._froze = False
            gc.unfreeze()
