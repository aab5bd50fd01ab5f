"""The equivalence corpus: candidates written differently that compute the same thing hash
equal, across representations; near-misses hash differently."""
import math

import numpy as np
import pytest

from symsearch.cache import FunctionalHasher, ProbeInput, ProbeSet
from symsearch.programs import Call, Const, Program, Statement, Var, call

nx = pytest.importorskip("networkx")

x, y = Var("x"), Var("y")
HASHER = FunctionalHasher(ProbeSet(count=32, seed=0))
POSITIVE = FunctionalHasher(ProbeSet({"x": "positive", "y": "positive"}, count=32))


def prog(inputs, lines, outputs):
    """Program from ("target", "op", args...) tuples; float args become Const."""
    return Program(inputs, [Statement(t, op, [a if isinstance(a, str) else Const(a) for a in args])
                            for t, op, *args in lines], outputs)


def graph(nodes, edges, outputs=None):
    g = nx.DiGraph()
    for name, attrs in nodes.items():
        g.add_node(name, **attrs)
    for u, v, arg in edges:
        g.add_edge(u, v, arg=arg)
    if outputs is not None:
        g.graph["outputs"] = outputs
    return g


# Each class: candidates in different representations that all compute the same function.
EQUIVALENCE_CLASSES = {
    "a*b vs b*a": [
        call("mul", "x", "y"), call("mul", "y", "x"),
        prog(["x", "y"], [("o", "mul", "y", "x")], ["o"]),
        lambda x, y: x * y, lambda y, x: x * y,
        graph({"a": {"op": "input", "name": "x"}, "b": {"op": "input", "name": "y"},
               "m": {"op": "mul"}}, [("b", "m", 0), ("a", "m", 1)]),
    ],
    "x+0 vs x": [
        x, call("add", "x", 0.0), call("mul", call("add", 0.0, "x"), 1.0),
        prog(["x"], [("o", "add", "x", 0.0)], ["o"]), lambda x: x + 0.0, lambda x: x,
    ],
    "dead statements": [
        prog(["x", "y"], [("t", "sub", "x", "y")], ["t"]),
        prog(["x", "y"], [("d", "exp", "x"), ("t", "sub", "x", "y"), ("e", "sin", "d")], ["t"]),
        prog(["x", "y"], [("t", "exp", "x"), ("t", "sub", "x", "y")], ["t"]),
        call("sub", "x", "y"),
    ],
    "reordered independent statements": [
        prog(["x", "y"], [("a", "sin", "x"), ("b", "cos", "y"), ("o", "div", "a", "b")], ["o"]),
        prog(["x", "y"], [("b", "cos", "y"), ("a", "sin", "x"), ("o", "div", "a", "b")], ["o"]),
        graph({"x": {"op": "input"}, "y": {"op": "input"}, "s": {"op": "sin"},
               "c": {"op": "cos"}, "d": {"op": "div"}},
              [("y", "c", 0), ("x", "s", 0), ("c", "d", 1), ("s", "d", 0)]),
        lambda x, y: np.where(np.abs(np.cos(y)) > 1e-12, np.sin(x) / np.cos(y), 1.0),
    ],
    "different lambdas, same function": [
        lambda x: 2.0 * x, lambda x: x + x, lambda x: (x * 4.0) / 2.0,
        lambda x: math.fsum([x, x]),         # not vectorizable: called per probe case
        call("add", "x", "x"),
    ],
    "distributed vs factored": [
        call("mul", "x", call("add", "y", 1.0)), call("add", call("mul", "x", "y"), "x"),
        lambda x, y: x * y + x,
    ],
    "max(x, x) and min(x, x) are x": [call("max", "x", "x"), call("min", "x", "x"), x],
    "double negation and sign(x)*|x| are x": [
        call("neg", call("neg", "x")), x, call("mul", call("sign", "x"), call("abs", "x")),
    ],
}


@pytest.mark.parametrize("name", list(EQUIVALENCE_CLASSES))
def test_equivalence_class_hashes_equal(name):
    hashes = [HASHER.hash(c) for c in EQUIVALENCE_CLASSES[name]]
    assert len(set(hashes)) == 1, (name, hashes)


def test_classes_are_distinct_from_each_other():
    firsts = [HASHER.hash(cands[0]) for cands in EQUIVALENCE_CLASSES.values()]
    # x+0, max(x, x), -(-x) are all the class of x: count those once
    assert len(set(firsts)) == len(firsts) - 2


def test_exp_log_is_x_on_positive_probes_only():
    e = call("exp", call("log", "x"))
    assert POSITIVE.hash(e) == POSITIVE.hash(x) == POSITIVE.hash(lambda x: x)
    assert HASHER.hash(e) != HASHER.hash(x)            # exp(log|x|) = |x| != x for x < 0
    # on all probes: |x|, except at the edge value 0, where protected log(0) = 0 gives 1
    assert HASHER.hash(e) != HASHER.hash(call("abs", "x"))
    assert HASHER.hash(e) == HASHER.hash(lambda x: np.where(x == 0, 1.0, np.abs(x)))


NEAR_MISSES = [
    ("x + 1e-3 vs x", call("add", "x", 1e-3), x),
    ("x + 1e-5 vs x", call("add", "x", 1e-5), x),
    ("sign(x) vs x/abs(x), differing at 0", call("sign", "x"), call("div", "x", call("abs", "x"))),
    ("max vs min", call("max", "x", "y"), call("min", "x", "y")),
    ("a-b vs b-a", call("sub", "x", "y"), call("sub", "y", "x")),
    ("relu vs abs", call("relu", "x"), call("abs", "x")),
    ("lambda 2x vs 2x+tiny", lambda x: 2 * x, lambda x: 2 * x * (1 + 1e-4)),
    ("program outputs swapped",
     prog(["x", "y"], [("a", "sin", "x"), ("b", "cos", "y")], ["a", "b"]),
     prog(["x", "y"], [("a", "sin", "x"), ("b", "cos", "y")], ["b", "a"])),
]


@pytest.mark.parametrize("name, a, b", NEAR_MISSES, ids=[n for n, _, _ in NEAR_MISSES])
def test_near_misses_hash_differently(name, a, b):
    assert HASHER.hash(a) != HASHER.hash(b)
    assert not HASHER.equivalent(a, b)


def test_a_program_an_expression_a_lambda_and_a_graph_agree():
    candidates = [
        prog(["x", "y"], [("p", "mul", "x", "y"), ("s", "sin", "x"), ("o", "add", "p", "s")],
             ["o"]),
        Call("add", [Call("sin", [x]), Call("mul", [y, x])]),
        lambda x, y: np.sin(x) + x * y,
        graph({"x": {"op": "input"}, "y": {"op": "input"}, "m": {"op": "mul"},
               "s": {"op": "sin"}, "o": {"op": "add"}},
              [("x", "m", 0), ("y", "m", 1), ("x", "s", 0), ("m", "o", 0), ("s", "o", 1)]),
    ]
    assert len({HASHER.hash(c) for c in candidates}) == 1
    assert HASHER.equivalent(candidates[0], candidates[2])


def test_vector_programs_and_reductions_across_representations():
    h = FunctionalHasher(ProbeSet({"g": (6,), "lr": ProbeInput(distribution="positive")},
                                  count=16))
    clip = prog(["g", "lr"], [("n", "norm", "g"), ("u", "div", "g", "n"), ("u", "mul", "u", "lr")],
                ["u"])
    same = lambda g, lr: g / np.maximum(np.linalg.norm(g, axis=-1, keepdims=True), 1e-300) \
        * lr[:, None]
    # the first case is all-zero g (an edge value): div is protected there, so patch the lambda
    protected = lambda g, lr: np.where(np.linalg.norm(g, axis=-1, keepdims=True) > 1e-12,
                                       same(g, lr), lr[:, None])
    assert h.hash(clip) == h.hash(protected)
    scalar = prog(["g", "lr"], [("n", "norm", "g")], ["n"])
    assert h.hash(scalar) == h.hash(lambda g, lr: np.linalg.norm(g, axis=-1))


class TestTorch:
    torch = pytest.importorskip("torch")

    def probes(self):
        return FunctionalHasher(ProbeSet({"x": (4,)}, count=16))

    def test_sequential_built_twice_hashes_equal_whatever_the_global_seed(self):
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(0)
        a = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
        torch.manual_seed(123)
        b = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
        h = self.probes()
        assert h.hash(a) == h.hash(b)
        assert h.hash(a) != h.hash(nn.Sequential(nn.Linear(4, 3), nn.Tanh()))
        assert h.hash(a) != h.hash(nn.Sequential(nn.Linear(4, 3)))

    def test_reordered_independent_branches_hash_equal(self):
        nn = self.torch.nn

        class TwoBranches(nn.Module):
            def __init__(self, deep_first):
                super().__init__()
                deep = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
                wide = nn.Linear(4, 2)
                self.branches = nn.ModuleList([deep, wide] if deep_first else [wide, deep])

            def forward(self, x):
                out = self.branches[0](x)
                for branch in self.branches[1:]:
                    out = out + branch(x)
                return out

        h = self.probes()
        assert h.hash(TwoBranches(True)) == h.hash(TwoBranches(False))
        by_order = FunctionalHasher(h.probes, torch_init="by_order")
        assert by_order.hash(TwoBranches(True)) != by_order.hash(TwoBranches(False))

    def test_hashing_leaves_the_module_and_the_global_rng_alone(self):
        torch, nn = self.torch, self.torch.nn
        m = nn.Linear(4, 2)
        before = m.weight.detach().clone()
        torch.manual_seed(7)
        self.probes().hash(m)
        after_rng = torch.rand(1)
        torch.manual_seed(7)
        assert torch.equal(after_rng, torch.rand(1))
        assert torch.equal(before, m.weight) and m.weight.dtype == torch.float32

    def test_keeping_trained_weights(self):
        nn = self.torch.nn
        h = FunctionalHasher(ProbeSet({"x": (4,)}, count=8), torch_init=None)
        a, b = nn.Linear(4, 1), nn.Linear(4, 1)
        assert h.hash(a) != h.hash(b)
        b.load_state_dict(a.state_dict())
        assert h.hash(a) == h.hash(b)
