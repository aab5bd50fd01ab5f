"""A tiny space and evaluators for CLI tests (importable as tests.cli.toy_experiment)."""
import symsearch as ss

space = ss.Dict(x=ss.floatv(-2.0, 2.0), act=ss.oneof(["relu", "gelu", "tanh"]))
small_space = ss.Dict(act=ss.oneof(["relu", "gelu"]))


def make_space(low=-2.0, high=2.0):
    return ss.Dict(x=ss.floatv(low, high), act=ss.oneof(["relu", "gelu", "tanh"]))


def evaluate(candidate, offset=0.0):
    x = candidate.get("x", 0.0)
    return {"loss": (x - 0.5) ** 2 + offset + (0.1 if candidate["act"] == "tanh" else 0.0),
            "size": len(candidate["act"])}


def two_objectives(candidate):
    x = candidate["x"]
    return {"loss": (x - 1.0) ** 2, "cost": (x + 1.0) ** 2}


def fail_on_tanh(candidate):
    if candidate["act"] == "tanh":
        raise RuntimeError("tanh is not supported")
    return evaluate(candidate)


not_callable = 42


def evaluate_by_steps(candidate, trial, steps=9):
    """Reports the loss after each of ``steps`` steps, stopping when asked (early stopping)."""
    final = evaluate(candidate)["loss"]
    loss = final
    step = 0
    for step in range(1, steps + 1):
        loss = final + 1.0 / step
        trial.report(step, loss=loss)
        if trial.should_stop():
            break
    return {"loss": loss, "steps": step}


class Point(ss.Object):
    """A registered symbolic class (an export names its module: tests.cli.toy_experiment)."""

    x: float = 0.0
    act: str = "relu"


point_space = Point(x=ss.floatv(-2.0, 2.0), act=ss.oneof(["relu", "gelu"]))

# Stored strings that look like rich markup (show must print them as they are).
markup_space = ss.Dict(path=ss.oneof(["[/mnt/a]", "[bold]b[/bold]"]))


def evaluate_point(candidate):
    return {"loss": (candidate.x - 0.5) ** 2}


def evaluate_markup(candidate):
    return {"[red]loss": float(len(candidate["path"]))}


def always_fails(candidate):
    raise ValueError("no model fits this")


def wrong_metric(candidate):
    return {"accuracy": 0.5, "size": 1}


CALLS = {"n": 0}


def interrupt_on_third_call(candidate):
    """Finishes two trials, then acts as if the user pressed Ctrl-C."""
    CALLS["n"] += 1
    if CALLS["n"] >= 3:
        raise KeyboardInterrupt
    return evaluate(candidate)


def terminate_on_third_call(candidate):
    """Finishes two trials, then acts as if the search got SIGTERM."""
    from symsearch.search.errors import SearchTerminated
    CALLS["n"] += 1
    if CALLS["n"] >= 3:
        raise SearchTerminated()
    return evaluate(candidate)
