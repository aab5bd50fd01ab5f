"""The evaluation cache inside the search loop: structural vs functional keys, resume reuse."""
import symsearch as ss


def double(x):
    return x * 2.0


def add_self(x):
    return x + x


def square(x):
    return x * x


SPACE = ss.oneof([double, add_self, square])


def count_calls():
    calls = []

    def evaluate(f):
        calls.append(f.__name__)
        return {"loss": float(f(3.0))}
    return evaluate, calls


def test_functional_cache_skips_differently_written_equal_functions():
    evaluate, calls = count_calls()
    result = ss.search(SPACE, evaluate, objective="min:loss", num_trials=30, seed=0,
                       cache="functional")
    assert len(result.trials) == 30
    assert len(calls) == 2                     # double and add_self are one function
    assert result.count("cached") == 28
    assert result.stats["cache_hits"] == 28

    evaluate, calls = count_calls()
    ss.search(SPACE, evaluate, objective="min:loss", num_trials=30, seed=0, cache="structural")
    assert len(calls) == 3


def test_cached_trials_name_their_source_and_keys(tmp_path):
    path = str(tmp_path / "c.db")
    evaluate, calls = count_calls()
    ss.search(SPACE, evaluate, objective="min:loss", num_trials=12, seed=1, store=path,
              cache="both")
    exp = ss.load_experiment(path)
    cached = [r for r in exp.trials if r.status == "cached"]
    assert cached and all(r.cached_from is not None for r in cached)
    # Evaluated trials were hashed functionally (a structural hit skips the probes).
    assert all(r.functional_hash for r in exp.trials if r.status == "done")
    assert exp.cache_stats()["hits"] == len(cached)

    # A resumed experiment reuses the stored entries: nothing is evaluated again.
    evaluate, calls = count_calls()
    ss.search(SPACE, evaluate, objective="min:loss", num_trials=24, seed=1, store=path,
              cache="both", resume=True)
    assert calls == []
