"""What an optimizer program's update is made of: is it Lion-like?

Lion's update is ``sign(interp(g, m, β1))``: the sign of an interpolation of the momentum and
the gradient. :func:`lion_like` answers, by dataflow over the program's live statements,
whether the ``update`` takes the sign of a value that mixes ``m`` and ``g`` and whether that
value is an interpolation (``interp``, or a sum of scaled ``m`` and ``g``). A mix stays one
through a rescaling by a scalar (a constant, ``lr``, or ``clip_by_global_norm``, which
multiplies its argument by ``min(1, c / ||x||)``), since the sign does not see the scale.
When the signed mix is the new momentum itself (``m = β m + g; update = sign(m)``), the
program is Lion with ``β1 = β2`` (Signum, Bernstein et al. 2018), and the answer says so.

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
    # which statement made a value's mix (a statement is one value; rescalings keep it)
    mix_source = {name: None for name in INPUTS}
    sign_source = {name: None for name in INPUTS}
    last_m = None
    for st in program.statements:
        names = [a for a in st.args if isinstance(a, str)]
        d = set().union(*(deps[a] for a in names)) if names else set()
        mixes = {"m", "g"} <= d
        rescaled = _rescaled_mix(st, deps, mixed_linear)
        linear = (st.op in _LINEAR and mixes) or rescaled is not None or \
            (st.op in _LINEAR and any(mixed_linear.get(a) for a in names))
        signed = [a for a in names if mixed_linear.get(a)] if st.op in _SIGN_LIKE else []
        carried = [a for a in names if signed_interp.get(a)]
        sign_of_mix = bool(signed or carried)
        sign_of_any = (st.op in _SIGN_LIKE and bool(d & {"m", "g"})) or \
            any(signed_any.get(a) for a in names)
        new_sign_source = mix_source[signed[0]] if signed else \
            (sign_source[carried[0]] if carried else None)
        mix_source[st.target] = mix_source[rescaled] if rescaled is not None else \
            (st if linear else None)
        sign_source[st.target] = new_sign_source
        mixed_linear[st.target] = bool(linear)
        signed_interp[st.target] = bool(sign_of_mix)
        signed_any[st.target] = bool(sign_of_any)
        deps[st.target] = d
        if st.target == "m":
            last_m = st
    if signed_interp.get("update"):
        if sign_source["update"] is not None and sign_source["update"] is last_m:
            return ("yes: the update takes the sign of the new momentum, an interpolation of "
                    "momentum and gradient (Lion with beta1 = beta2: Signum)")
        return "yes: the update takes the sign of an interpolation of momentum and gradient"
    if signed_any.get("update"):
        return "partly: the update takes a sign, but not of an interpolation of m and g"
    return "no: the update takes no sign of momentum or gradient"


def _rescaled_mix(st, deps: dict, mixed_linear: dict):
    """The argument a statement rescales when it is a scalar multiple of a linear mix of m
    and g (``mul`` by a constant or an ``lr``-only value, ``div`` by one,
    ``clip_by_global_norm``), else None."""
    def scalar(a) -> bool:
        return not isinstance(a, str) or deps[a] <= {"lr"}

    args = list(st.args)
    if st.op == "clip_by_global_norm" and isinstance(args[0], str) and \
            mixed_linear.get(args[0]):
        return args[0]
    if st.op in ("mul", "div") and len(args) == 2:
        candidates = (0, 1) if st.op == "mul" else (0,)
        for i in candidates:
            a, other = args[i], args[1 - i]
            if isinstance(a, str) and mixed_linear.get(a) and scalar(other):
                return a
    return None


__all__ = ["lion_like"]
