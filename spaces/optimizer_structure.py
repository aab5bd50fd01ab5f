"""What an optimizer program's update is made of: is it Lion-like?

Lion's update is ``sign(interp(g, m, β1))``: the sign of an interpolation of the momentum and
the gradient. :func:`lion_like` answers, by dataflow over the program's live statements,
whether the ``update`` takes the sign of a value that mixes ``m`` and ``g`` and whether that
value is an interpolation (``interp``, or a sum of scaled ``m`` and ``g``).

>>> from symsearch.spaces import optimizers as opt
>>> lion_like(opt.lion()).startswith("yes"), lion_like(opt.adamw()).startswith("no")
(True, True)
"""
from __future__ import annotations

from symsearch.programs.program import Program

#: Ops that combine their arguments linearly: a mix of m and g through them interpolates.
_LINEAR = {"interp", "add", "sub"}
#: Ops that keep the sign of their (single vector) argument, so sign-like updates pass them.
_SIGN_LIKE = {"sign"}


def lion_like(program: Program) -> str:
    """``"yes: ..."`` when the update takes the sign of an interpolation of momentum and
    gradient, ``"partly: ..."`` when it takes the sign of some mix of them (or of one), and
    ``"no: ..."`` otherwise; the text says which."""
    from symsearch.spaces.optimizers import INPUTS, simplify

    program = simplify(program)
    deps = {name: {name} for name in INPUTS}
    mixed_linear = {name: False for name in INPUTS}     # value is a linear mix of m and g
    signed_interp = {name: False for name in INPUTS}    # value holds sign(mix of m and g)
    signed_any = {name: False for name in INPUTS}       # value holds sign(something of m or g)
    for st in program.statements:
        names = [a for a in st.args if isinstance(a, str)]
        d = set().union(*(deps[a] for a in names)) if names else set()
        mixes = {"m", "g"} <= d
        linear = (st.op in _LINEAR and mixes) or \
            (st.op == "mul" and len(names) == 1 and bool(mixed_linear.get(names[0]))) or \
            (st.op in _LINEAR and any(mixed_linear.get(a) for a in names))
        sign_of_mix = (st.op in _SIGN_LIKE and any(mixed_linear.get(a) for a in names)) or \
            any(signed_interp.get(a) for a in names)
        sign_of_any = (st.op in _SIGN_LIKE and bool(d & {"m", "g"})) or \
            any(signed_any.get(a) for a in names)
        mixed_linear[st.target] = bool(linear)
        signed_interp[st.target] = bool(sign_of_mix)
        signed_any[st.target] = bool(sign_of_any)
        deps[st.target] = d
    if signed_interp.get("update"):
        return "yes: the update takes the sign of an interpolation of momentum and gradient"
    if signed_any.get("update"):
        return "partly: the update takes a sign, but not of an interpolation of m and g"
    return "no: the update takes no sign of momentum or gradient"


__all__ = ["lion_like"]
