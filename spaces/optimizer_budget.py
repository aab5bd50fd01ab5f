"""The state budget of optimizer programs: how many per-parameter buffers a program may keep.

An optimizer program ``train(w, g, m, v, lr) -> (update, m, v)`` carries two state buffers
from step to step, ``m`` and ``v``. Memory is part of what makes an optimizer useful (Lion's
selling point is one buffer where AdamW keeps two), so a search can be given a budget:

- ``state_slots=2``: ``m`` and ``v`` (no restriction);
- ``state_slots=1``: ``m`` only; a statement that reads or writes ``v`` is invalid;
- ``state_slots=0``: no state; ``m`` and ``v`` are both out of reach.

The budget is syntactic (what a program may mention), so that mutation can respect it
cheaply. What a program *uses* is :func:`state_buffers`, a dataflow count: a buffer counts
when its value at the start of a step reaches the update (directly or through the buffers it
feeds) and a live statement writes it. So ``m = m * 0.9`` alone (never read by the update)
costs nothing, nor does reading ``m`` that no statement ever writes (it stays zero).

>>> from symsearch.spaces import optimizers as opt
>>> [state_buffers(opt.KNOWN_PROGRAMS[n]()) for n in ("sgd", "sgd_momentum", "lion", "adamw")]
[0, 1, 1, 2]
>>> check_budget(opt.adamw(), state_slots=1)
Traceback (most recent call last):
...
ValueError: statement 2 (v = interp(t0, v, 0.999)) writes state buffer 'v', which a budget of 1 state slot does not allow (allowed: m) (path=statements[2])
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, Tuple

from symsearch.programs.program import live_analysis

#: The state buffers, in the order a budget grants them.
STATE_NAMES: Tuple[str, ...] = ("m", "v")


def check_state_slots(state_slots) -> int:
    """``state_slots`` as an int in ``0..len(STATE_NAMES)``, or ValueError naming it."""
    if isinstance(state_slots, bool) or not isinstance(state_slots, int) or \
            not 0 <= state_slots <= len(STATE_NAMES):
        raise ValueError(f"The 'state_slots' parameter must be an int from 0 to "
                         f"{len(STATE_NAMES)} (the state buffers {list(STATE_NAMES)} a program "
                         f"may use). Got {state_slots!r} instead.")
    return state_slots


def allowed_state(state_slots: int) -> Tuple[str, ...]:
    """The state buffers a budget of ``state_slots`` allows (``m`` first)."""
    return STATE_NAMES[:check_state_slots(state_slots)]


def forbidden_state(state_slots: int) -> Tuple[str, ...]:
    """The state buffers a budget of ``state_slots`` rules out."""
    return STATE_NAMES[check_state_slots(state_slots):]


def _describe(index: int, target: str, op: str, args: Sequence) -> str:
    text = ", ".join(a if isinstance(a, str) else f"{float(getattr(a, 'value', a)):g}"
                     for a in args)
    return f"statement {index} ({target} = {op}({text}))"


def budget_violation(statements: Iterable[tuple], forbidden: Sequence[str]) -> Optional[str]:
    """The first statement ``(target, op, args)`` that reads or writes a ``forbidden`` name,
    described as an error message, or None. Plain tuples: mutators call this while they edit."""
    if not forbidden:
        return None
    for i, (target, op, args) in enumerate(statements):
        if target in forbidden:
            return _describe(i, target, op, args) + f" writes state buffer {target!r}"
        for a in args:
            if isinstance(a, str) and a in forbidden:
                return _describe(i, target, op, args) + f" reads state buffer {a!r}"
    return None


def violates(statements: Iterable[tuple], forbidden: Sequence[str]) -> bool:
    """Whether any statement ``(target, op, args)`` mentions a ``forbidden`` name (fast)."""
    if not forbidden:
        return False
    for target, _op, args in statements:
        if target in forbidden or any(a in forbidden for a in args if isinstance(a, str)):
            return True
    return False


def check_budget(program, state_slots: int) -> None:
    """Raises ValueError naming the first statement of ``program`` that reads or writes a
    state buffer beyond ``state_slots`` (see the module docstring)."""
    forbidden = forbidden_state(state_slots)
    rows = [(st.target, st.op, list(st.args)) for st in program.statements]
    for i, row in enumerate(rows):
        message = budget_violation([row], forbidden)
        if message is not None:
            allowed = ", ".join(allowed_state(state_slots)) or "none"
            slots = "slot" if state_slots == 1 else "slots"
            message = message.replace("statement 0 ", f"statement {i} ", 1)
            raise ValueError(f"{message}, which a budget of {state_slots} state {slots} does "
                             f"not allow (allowed: {allowed}) (path=statements[{i}])")


def state_buffers(program, update: str = "update") -> int:
    """How many state buffers ``program`` really keeps (see the module docstring): 0 for
    SGD, 1 for SGD-momentum and Lion, 2 for AdamW.

    The count is a fixed point: starting from the update, a buffer whose start-of-step value
    is read is needed, so what writes it becomes live too, which may read the other buffer.
    """
    statements = [(st.target, list(st.args)) for st in program.statements]
    needed = {update}
    while True:
        keep, read = live_analysis(statements, needed)
        new = needed | {s for s in STATE_NAMES if s in read}
        if new == needed:
            break
        needed = new
    written = {statements[i][0] for i in keep}
    return sum(1 for s in STATE_NAMES if s in read and s in written)


__all__ = ["STATE_NAMES", "check_state_slots", "allowed_state", "forbidden_state",
           "budget_violation", "violates", "check_budget", "state_buffers"]
