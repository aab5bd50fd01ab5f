"""HeapFreezer (search/heap.py): freezes the heap on a doubling schedule, never freezes
garbage, gives everything back when the search closes, and leaves a frozen heap alone."""
import gc

import symsearch as ss
from symsearch.search.heap import HeapFreezer


class Cycle:
    def __init__(self):
        self.me = self


def test_freezes_on_a_doubling_schedule_and_unfreezes_on_close():
    assert gc.get_freeze_count() == 0
    freezer = HeapFreezer(first=10)
    freezer.after_trial(9)
    assert gc.get_freeze_count() == 0
    try:
        Cycle()                                   # garbage: collected, never frozen
        freezer.after_trial(10)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert not any(type(o) is Cycle for o in gc.get_objects())
        freezer.after_trial(19)                   # next freeze at 20
        assert gc.get_freeze_count() == frozen
        kept = [Cycle() for _ in range(3)]
        freezer.after_trial(20)
        assert gc.get_freeze_count() >= frozen + 3 and len(kept) == 3
    finally:
        freezer.close()
    assert gc.get_freeze_count() == 0


def test_leaves_a_heap_frozen_by_someone_else_and_a_disabled_collector_alone():
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        freezer = HeapFreezer(first=1)
        freezer.after_trial(5)
        freezer.close()
        assert gc.get_freeze_count() == before and not freezer.enabled
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        freezer = HeapFreezer(first=1)
        freezer.after_trial(5)
        assert gc.get_freeze_count() == 0 and not freezer.enabled
    finally:
        gc.enable()


def test_a_search_leaves_nothing_frozen():
    space = ss.oneof([1, 2, 3])
    from symsearch.search import heap
    old, heap.FIRST_FREEZE = heap.FIRST_FREEZE, 5
    frozen = []
    try:
        result = ss.search(space, lambda v: frozen.append(gc.get_freeze_count()) or float(v),
                           objective="max:v", num_trials=30, seed=0, algorithm="random")
    finally:
        heap.FIRST_FREEZE = old
    assert len(result.trials) == 30 and max(frozen) > 0 and gc.get_freeze_count() == 0
