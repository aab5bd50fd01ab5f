"""Resume after the driver process is SIGKILLed mid-run: nothing finished is lost or redone."""
import os
import subprocess
import sys
import textwrap

import symsearch as ss

SCRIPT = textwrap.dedent("""
    import functools, sys
    import symsearch as ss
    from tests.search import _evaluators as ev
    store, log, kill_after, resume = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
    evaluator = functools.partial(ev.logging_evaluator, log_path=log,
                                  kill_after=None if kill_after == "none" else int(kill_after))
    result = ss.search(ev.quadratic_space(), evaluator, objective="min:loss", num_trials=20,
                       store=store, seed=7, resume=resume)
    print("FINISHED", len(result.trials))
""")


def run(store, log, kill_after, resume):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.run([sys.executable, "-c", SCRIPT, store, log, str(kill_after),
                           "1" if resume else "0"], capture_output=True, text=True, cwd=root,
                          timeout=120)


def test_resume_after_sigkill_loses_nothing_and_repeats_nothing(tmp_path):
    store, log = str(tmp_path / "exp.db"), str(tmp_path / "evals.log")
    first = run(store, log, kill_after=8, resume=False)
    assert first.returncode == -9, first.stderr
    survived = ss.load_experiment(store)
    done_before = [r for r in survived.trials if r.status == "done"]
    running = [r for r in survived.trials if r.status == "running"]
    assert len(done_before) == 7 and len(running) == 1

    second = run(store, log, kill_after="none", resume=True)
    assert second.returncode == 0, second.stderr
    assert "FINISHED 20" in second.stdout

    final = ss.load_experiment(store)
    done = [r for r in final.trials if r.status == "done"]
    assert len(done) == 20 and len(final.trials) == 20
    with open(log) as f:
        evaluated = [float(line) for line in f]
    # 7 finished before the kill, 1 killed mid-evaluation and redone, 12 new: 21 evaluations.
    assert len(evaluated) == 21
    killed_x = running[0].dna[0]
    for r in done_before:
        assert evaluated.count(r.dna[0]) == 1
    assert evaluated.count(killed_x) == 2
    assert sorted(r.dna[0] for r in done) == sorted(set(evaluated))
