"""What a long search asks of CPython's cyclic garbage collector: freeze the old heap.

A search keeps a little of every trial (its store record, the algorithm's population), so
the heap grows steadily, and CPython runs a *full* collection each time the objects that
survived young collections exceed a quarter of the old heap. Every full collection walks
every tracked object (in a 12,000-trial GP search: four walks of 50k-200k objects, 40% of
the framework's time per trial, although they found nothing to free). ``HeapFreezer``
collects once and then moves the surviving heap to the permanent generation
(``gc.freeze()``), at trials 1,000, 2,000, 4,000, ...: later collections walk only what is
newer than the last freeze, so the garbage collector's work is linear in the search's size.

It is safe because nothing unreachable is ever frozen (the collection right before each
freeze frees it), reference counting frees frozen objects as usual, and the search
unfreezes everything when it closes. A cycle among frozen objects that becomes garbage
during the search waits for that. The freezer does nothing when the collector is disabled
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
