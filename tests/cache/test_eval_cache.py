"""EvalCache: modes, noise policy, verification, statistics, stores and sharing by path."""
import warnings

import pytest

import symsearch as ss
from symsearch.cache import EvalCache, FunctionalHasher, ProbeInput, ProbeSet
from symsearch.programs import Program, Statement, call, normal_form
from symsearch.store import MemoryStore, SqliteStore

AB = call("mul", "a", "b")
BA = call("mul", "b", "a")                       # structurally different, same function
AB_PLUS_0 = call("mul", call("add", "a", 0.0), "b")
OTHER = call("add", "a", "b")


def evaluate_into(cache, candidate, metrics, eval_time=1.0, trial_id=None):
    look = cache.lookup(candidate)
    if not look.hit or look.should_reevaluate:
        cache.record(look.key, metrics, eval_time, trial_id)
    return look


def test_structural_mode_hits_only_identical_structure():
    cache = EvalCache(mode="structural")
    assert cache.hasher is None
    first = evaluate_into(cache, AB, {"loss": 1.0}, trial_id=0)
    assert not first.hit and first.key.startswith("s:") and first.functional_key is None
    assert cache.lookup(ss.clone(AB)).hit
    assert not cache.lookup(BA).hit
    assert cache.stats()["hits"] == 1 and cache.stats()["misses"] == 2


def test_structural_mode_with_a_normal_form():
    cache = EvalCache(mode="structural", normalize=normal_form)
    evaluate_into(cache, AB, {"loss": 1.0})
    assert cache.lookup(BA).hit and not cache.lookup(AB_PLUS_0).hit


def test_functional_mode_hits_equivalent_candidates():
    cache = EvalCache(mode="functional")
    evaluate_into(cache, AB, {"loss": 1.0}, trial_id=7)
    for candidate in (BA, AB_PLUS_0, lambda a, b: b * a):
        look = cache.lookup(candidate)
        assert look.hit and look.entry["metrics"] == {"loss": 1.0}
        assert look.entry["trial_id"] == 7 and look.key.startswith("f:")
    assert not cache.lookup(OTHER).hit


def test_both_mode_checks_structure_first_and_records_under_both_keys():
    cache = EvalCache(mode="both")
    look = evaluate_into(cache, AB, {"loss": 1.0})
    assert look.key == f"{look.structural_key}|{look.functional_key}"
    assert look.structural_key in cache and look.functional_key in cache
    same = cache.lookup(ss.clone(AB))
    assert same.hit and same.key == same.structural_key and same.functional_key is None
    equivalent = cache.lookup(BA)
    assert equivalent.hit and equivalent.functional_key == look.functional_key
    skey, fkey, seconds = cache.key_of(AB)
    assert (skey, fkey) == (look.structural_key, look.functional_key) and seconds >= 0


def test_key_of_per_mode():
    assert EvalCache(mode="structural").key_of(AB)[1] is None
    assert EvalCache(mode="functional").key_of(AB)[0] is None


def test_statistics_estimate_saved_time_from_misses():
    cache = EvalCache()
    evaluate_into(cache, AB, {"loss": 1.0}, eval_time=2.0)
    evaluate_into(cache, OTHER, {"loss": 2.0}, eval_time=4.0)
    cache.lookup(BA)
    cache.lookup(BA)
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["entries"]) == (2, 2, 2)
    assert stats["saved_time"] == pytest.approx(2 * 3.0)
    assert stats["mean_eval_time"] == pytest.approx(3.0)
    assert stats["hash_time"] > 0 and stats["hit_rate"] == pytest.approx(0.5)


def test_average_policy_reevaluates_and_keeps_the_running_mean():
    always = EvalCache(noise="average", reevaluate_prob=1.0)
    evaluate_into(always, AB, {"loss": 1.0, "tag": "a"}, eval_time=1.0, trial_id=0)
    for value in (2.0, 6.0):
        look = evaluate_into(always, BA, {"loss": value, "tag": "b"}, eval_time=3.0)
        assert look.hit and look.should_reevaluate
    entry = always.get(always.lookup(AB).key)
    assert entry["count"] == 3 and entry["metrics"]["loss"] == pytest.approx(3.0)
    assert entry["metrics"]["tag"] == "a" and entry["trial_id"] == 0
    assert entry["eval_time"] == pytest.approx((1 + 3 + 3) / 3)
    assert always.stats()["reevaluations"] >= 2
    never = EvalCache(noise="average", reevaluate_prob=0.0)
    evaluate_into(never, AB, {"loss": 1.0})
    assert not never.lookup(BA).should_reevaluate
    sometimes = EvalCache(noise="average", reevaluate_prob=0.3, seed=0)
    evaluate_into(sometimes, AB, {"loss": 1.0})
    share = sum(sometimes.lookup(BA).should_reevaluate for _ in range(1000)) / 1000
    assert 0.25 < share < 0.35


def test_reuse_policy_never_reevaluates():
    cache = EvalCache(noise="reuse")
    evaluate_into(cache, AB, {"loss": 1.0})
    assert not any(cache.lookup(BA).should_reevaluate for _ in range(100))


def test_verify_detects_a_collision_on_the_first_probe_set():
    # relu and abs agree on positive probes: the main probe set cannot tell them apart,
    # the (normal) verification set can.
    hasher = FunctionalHasher(ProbeSet({"x": "positive"}, count=16),
                              verify_probes=ProbeSet({"x": "normal"}, count=16, seed=9))
    relu, absolute = call("relu", "x"), call("abs", "x")
    assert hasher.hash(relu) == hasher.hash(absolute)
    unverified = EvalCache(hasher=hasher)
    evaluate_into(unverified, relu, {"loss": 1.0})
    assert unverified.lookup(absolute).hit                    # a wrong answer
    cache = EvalCache(hasher=hasher, verify=True)
    evaluate_into(cache, relu, {"loss": 1.0})
    look = cache.lookup(absolute)
    assert not look.hit and cache.stats()["collisions"] == 1
    cache.record(look.key, {"loss": 5.0}, 1.0)
    assert cache.lookup(absolute).entry["metrics"] == {"loss": 5.0}
    assert cache.lookup(call("relu", call("add", "x", 0.0))).entry["metrics"] == {"loss": 1.0}


def test_unhashable_candidates_are_evaluated_without_caching():
    cache = EvalCache()
    with pytest.warns(RuntimeWarning, match="no functional-hash adapter"):
        look = cache.lookup(object())
    assert not look.hit and look.key is None
    cache.record(look.key, {"loss": 1.0}, 1.0)
    assert len(cache) == 0 and cache.stats()["unhashable"] == 1

    def broken(x):
        raise RuntimeError("boom")
    with pytest.warns(RuntimeWarning, match="boom"):
        assert cache.lookup(broken).key is None


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_attach_writes_entries_and_counters_to_the_store_and_a_resume_reuses_them(tmp_path,
                                                                                  store_kind):
    def open_store():
        return MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "exp.db")
    store = open_store()
    cache = EvalCache(verify=True).attach(store)
    evaluate_into(cache, AB, {"loss": 1.0}, eval_time=2.0, trial_id=3)
    cache.lookup(BA)
    cache.close()
    counters = store.cache_stats()
    assert counters["hits"] == 1 and counters["misses"] == 1 and counters["saved_time"] == 2.0
    if store_kind == "sqlite":
        store.close()
        store = open_store()
    resumed = EvalCache(verify=True).attach(store)
    look = resumed.lookup(AB_PLUS_0)
    assert look.hit and look.entry["trial_id"] == 3 and look.entry["metrics"] == {"loss": 1.0}
    assert resumed.stats()["collisions"] == 0
    assert any(k.startswith("v:") for k in store.cache_entries())       # verification hashes


def test_attach_without_counters():
    store = MemoryStore()
    cache = EvalCache().attach(store, update_counters=False)
    evaluate_into(cache, AB, {"loss": 1.0})
    assert store.cache_stats()["misses"] == 0 and len(store.cache_entries()) == 1


def test_sharing_across_experiments_by_path(tmp_path):
    shared = tmp_path / "shared-cache.db"
    first = EvalCache(path=shared)
    evaluate_into(first, AB, {"loss": 1.0})
    first.flush()
    second = EvalCache(path=shared)               # another experiment, live
    assert second.lookup(BA).hit
    evaluate_into(second, OTHER, {"loss": 2.0})
    second.flush()
    assert first.lookup(call("add", "b", "a")).hit     # found in the file after loading
    first.close()
    second.close()
    third = EvalCache(path=shared, namespace="other-evaluator:")
    assert not third.lookup(AB).hit
    third.close()


def test_programs_in_functional_mode():
    hasher = FunctionalHasher(ProbeSet({"w": (4,), "g": (4,), "lr": ProbeInput(distribution="positive")},
                                       count=8))
    cache = EvalCache(hasher=hasher)
    a = Program(["w", "g", "lr"], [Statement("u", "mul", ["g", "lr"]),
                                   Statement("u", "neg", ["u"])], ["u"])
    b = Program(["w", "g", "lr"], [Statement("t", "neg", ["lr"]), Statement("junk", "exp", ["w"]),
                                   Statement("u", "mul", ["t", "g"])], ["u"])
    evaluate_into(cache, a, {"loss": 0.1})
    assert cache.lookup(b).hit


@pytest.mark.parametrize("kwargs, error", [
    (dict(mode="semantic"), ValueError), (dict(noise="median"), ValueError),
    (dict(reevaluate_prob=1.5), ValueError), (dict(hasher="h"), TypeError),
    (dict(normalize=3), TypeError), (dict(namespace="a|b"), ValueError),
])
def test_arguments_are_validated(kwargs, error):
    with pytest.raises(error):
        EvalCache(**kwargs)


def test_record_rejects_non_dict_metrics():
    cache = EvalCache()
    look = cache.lookup(AB)
    with pytest.raises(TypeError, match="metrics must be a dict"):
        cache.record(look.key, 0.5, 1.0)


def test_lazy_access_through_the_package():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ss.cache.EvalCache is EvalCache
