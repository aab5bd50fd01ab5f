"""symsearch vs PyGlove on one search space, in one process.

    python benchmarks/vs_pyglove.py            # full run (~4 minutes; PyGlove is the slow side)
    python benchmarks/vs_pyglove.py --quick    # tiny batches: a smoke test, numbers meaningless
    python benchmarks/vs_pyglove.py --profile  # also cProfile symsearch on every missed row

The workload is a nested, conditional model config with 13 hyper primitives, written
with the same class names and structure in both frameworks::

    Model(stem=Conv(filters=oneof[16,32,64], kernel=oneof[1,3,5,7]),
          blocks=[Block(width=32..512 step 32, ops=manyof(2, OPS, distinct),
                        residual=oneof[True,False]),
                  Block(width=128, ops=manyof(2, OPS, distinct))],
          head=oneof[Dense(units=oneof[64,128,256]), GlobalPool()],
          optimizer=oneof[Adam(lr=floatv(1e-5,1e-1,log)),
                          SGD(lr=floatv(1e-4,1,log), momentum=floatv(0,0.99))],
          dropout=floatv(0,0.5))

Every row reports operations per second: the median of 3 repeats, each repeat timing
one batch sized (by a calibration run) to take about 0.5 s. Inputs a row consumes
(fresh clones for hash/eq/rebind, DNAs for materialize) are prepared outside the timed
region, for every repeat. Correctness is checked in each framework before timing.
"""

import argparse
import cProfile
import gc
import io
import pstats
import random
import statistics
import sys
import time
from types import SimpleNamespace
from typing import Annotated, Any, Callable, List, Optional

OPS = ["conv3", "conv5", "sep3", "sep5", "maxpool", "skip"]
WIDTHS = list(range(32, 513, 32))
NUM_HYPER_PRIMITIVES = 13

# row -> minimum symsearch/pyglove speed ratio (None: informational, no target).
TARGETS = {
    "random_sample": 100.0,
    "materialize": 100.0,
    "materialize_tmpl": None,
    "encode": None,
    "clone": 10.0,
    "rebind": 3.0,
    "hash": 3.0,
    "eq": 3.0,
    "json_roundtrip": 10.0,
}

ROW_DOC = {
    "random_sample": "pg.random_sample(space, n, seed) vs ss.random_sample(space, n, seed)",
    "materialize": "pg.materialize(space, dna) vs ss.materialize(space, dna)",
    "materialize_tmpl": "pg.template(space) built once, tmpl.decode(dna) vs ss.materialize",
    "encode": "pg.template(space) built once, tmpl.encode(c) vs ss.encode(space, c)",
    "clone": "c.clone(deep=True) vs ss.clone(c)",
    "rebind": "c.rebind({'blocks[0].width': w, 'dropout': d}) on a fresh clone, both",
    "hash": "pg.hash(c) vs ss.hash(c), fresh clones with no cached hash",
    "eq": "pg.eq(a, b) vs ss.eq(a, b), equal distinct trees, no cached hashes",
    "json_roundtrip": "pg.from_json_str(c.to_json_str()) vs ss.from_json_str(ss.to_json_str(c))",
}


# ---------------------------------------------------------------------------------------
# The two search spaces (same class names and structure).
# ---------------------------------------------------------------------------------------
def build_pyglove() -> SimpleNamespace:
    import pyglove as pg

    @pg.symbolize
    class Conv:
        def __init__(self, filters: int, kernel: int):
            self.filters = filters
            self.kernel = kernel

    class Block(pg.Object):
        width: int
        ops: list
        residual: bool = False

    class Dense(pg.Object):
        units: int

    class GlobalPool(pg.Object):
        pass

    class Adam(pg.Object):
        lr: float = 1e-3

    class SGD(pg.Object):
        lr: float
        momentum: pg.typing.Float(min_value=0.0, max_value=1.0) = 0.0

    class Model(pg.Object):
        stem: Conv
        blocks: list
        head: Any       # PyGlove rejects `object` as too general; Any is the same here.
        optimizer: Any
        dropout: float = 0.0

    space = Model(
        stem=Conv(filters=pg.oneof([16, 32, 64]), kernel=pg.oneof([1, 3, 5, 7])),
        blocks=[
            # PyGlove 0.4.5 has no `pg.intv` (and its integer hyper value has no step),
            # so the 32..512 step 32 width is a oneof over the 16 values.
            Block(width=pg.oneof(list(WIDTHS)), ops=pg.manyof(2, OPS, distinct=True),
                  residual=pg.oneof([True, False])),
            Block(width=128, ops=pg.manyof(2, OPS, distinct=True)),
        ],
        head=pg.oneof([Dense(units=pg.oneof([64, 128, 256])), GlobalPool()]),
        optimizer=pg.oneof([
            Adam(lr=pg.floatv(1e-5, 1e-1, scale="log")),
            SGD(lr=pg.floatv(1e-4, 1, scale="log"), momentum=pg.floatv(0, 0.99)),
        ]),
        dropout=pg.floatv(0, 0.5),
    )
    classes = dict(Conv=Conv, Block=Block, Dense=Dense, GlobalPool=GlobalPool, Adam=Adam,
                   SGD=SGD, Model=Model)
    return SimpleNamespace(name="pyglove", mod=pg, space=space, classes=classes)


def build_symsearch() -> SimpleNamespace:
    import symsearch as ss

    @ss.symbolize
    class Conv:
        def __init__(self, filters: int, kernel: int):
            self.filters = filters
            self.kernel = kernel

    class Block(ss.Object):
        width: int
        ops: list
        residual: bool = False

    class Dense(ss.Object):
        units: int

    class GlobalPool(ss.Object):
        pass

    class Adam(ss.Object):
        lr: float = 1e-3

    class SGD(ss.Object):
        lr: float
        momentum: Annotated[float, ss.Range(0.0, 1.0)] = 0.0

    class Model(ss.Object):
        stem: Conv
        blocks: list
        head: Any
        optimizer: Any
        dropout: float = 0.0

    space = Model(
        stem=Conv(filters=ss.oneof([16, 32, 64]), kernel=ss.oneof([1, 3, 5, 7])),
        blocks=[
            Block(width=ss.intv(32, 512, step=32), ops=ss.manyof(2, OPS, distinct=True),
                  residual=ss.oneof([True, False])),
            Block(width=128, ops=ss.manyof(2, OPS, distinct=True)),
        ],
        head=ss.oneof([Dense(units=ss.oneof([64, 128, 256])), GlobalPool()]),
        optimizer=ss.oneof([
            Adam(lr=ss.floatv(1e-5, 1e-1, scale="log")),
            SGD(lr=ss.floatv(1e-4, 1, scale="log"), momentum=ss.floatv(0, 0.99)),
        ]),
        dropout=ss.floatv(0, 0.5),
    )
    classes = dict(Conv=Conv, Block=Block, Dense=Dense, GlobalPool=GlobalPool, Adam=Adam,
                   SGD=SGD, Model=Model)
    return SimpleNamespace(name="symsearch", mod=ss, space=space, classes=classes)


# ---------------------------------------------------------------------------------------
# Tree helpers.
# ---------------------------------------------------------------------------------------
def _children(node: Any, base: type):
    if isinstance(node, base):
        return [v for _, v in node.sym_items()]
    if isinstance(node, (list, tuple)):
        return list(node)
    if isinstance(node, dict):
        return list(node.values())
    return []


def count_hyper(node: Any, base: type, hyper: type) -> int:
    n = 1 if isinstance(node, hyper) else 0
    return n + sum(count_hyper(c, base, hyper) for c in _children(node, base))


def ss_clear_caches(node: Any) -> None:
    """Drops every cached digest under ``node`` (``ss.clone`` copies them over)."""
    import symsearch as ss
    if isinstance(node, ss.Symbolic):
        d = node.__dict__
        for k in [k for k in d if "hash_cache" in k]:
            del d[k]
    for c in _children(node, ss.Symbolic):
        ss_clear_caches(c)


def ss_has_cache(node: Any) -> bool:
    import symsearch as ss
    if isinstance(node, ss.Symbolic) and any(
            "hash_cache" in k and v is not None for k, v in node.__dict__.items()):
        return True
    return any(ss_has_cache(c) for c in _children(node, ss.Symbolic))


def ss_fresh(c: Any) -> Any:
    """A deep copy of ``c`` with no cached hash anywhere in it."""
    import symsearch as ss
    x = ss.clone(c)
    ss_clear_caches(x)
    return x


def to_plain(node: Any, fw: SimpleNamespace) -> Any:
    """A framework-neutral view of a candidate: (class name, {field: value})."""
    base = fw.mod.Symbolic
    if isinstance(node, base) and not isinstance(node, (fw.mod.List, fw.mod.Dict)):
        return (type(node).__name__,
                {k: to_plain(v, fw) for k, v in node.sym_items()})
    if isinstance(node, (list, tuple)):
        return [to_plain(v, fw) for v in node]
    if isinstance(node, dict):
        return {k: to_plain(v, fw) for k, v in node.items()}
    return node


def from_plain(value: Any, fw: SimpleNamespace) -> Any:
    if isinstance(value, tuple):
        name, fields = value
        return fw.classes[name](**{k: from_plain(v, fw) for k, v in fields.items()})
    if isinstance(value, list):
        return [from_plain(v, fw) for v in value]
    return value


# ---------------------------------------------------------------------------------------
# Correctness checks (before any timing).
# ---------------------------------------------------------------------------------------
def check(pgw: SimpleNamespace, ssw: SimpleNamespace) -> None:
    pg, ss = pgw.mod, ssw.mod
    n_pg = count_hyper(pgw.space, pg.Symbolic, pg.hyper.HyperPrimitive)
    n_ss = count_hyper(ssw.space, ss.Symbolic, ss.HyperValue)
    assert n_pg == n_ss == NUM_HYPER_PRIMITIVES, (n_pg, n_ss)

    # --- PyGlove ---
    spec = pg.dna_spec(pgw.space)
    tmpl = pg.template(pgw.space)
    rng = random.Random(0)
    samples = list(pg.random_sample(pgw.space, 20, seed=1))
    assert len(samples) == 20 and all(pg.is_deterministic(c) for c in samples)
    for c in samples:
        dna = tmpl.encode(c)
        assert pg.eq(pg.materialize(pgw.space, dna), c)
        assert pg.eq(tmpl.decode(dna), c)
        d = pg.random_dna(spec, rng)
        assert tmpl.encode(pg.materialize(pgw.space, d)) == d
        assert pg.eq(pg.from_json_str(c.to_json_str()), c)
        k = c.clone(deep=True)
        assert k is not c and pg.eq(k, c) and pg.hash(k) == pg.hash(c)
        assert k.blocks is not c.blocks and k.stem is not c.stem
        w = 64 if c.blocks[0].width != 64 else 96
        k.rebind({"blocks[0].width": w, "dropout": 0.125})
        assert k.blocks[0].width == w and k.dropout == 0.125 and not pg.eq(k, c)
        assert pg.hash(k) != pg.hash(c)

    # --- symsearch ---
    sspec = ss.dna_spec(ssw.space)
    srng = random.Random(0)
    ssamples = ss.random_sample(ssw.space, 20, seed=1)
    assert len(ssamples) == 20
    assert all(ss.eq(a, b) for a, b in zip(ss.random_sample(ssw.space, 5, seed=7),
                                           ss.random_sample(ssw.space, 5, seed=7)))
    for c in ssamples:
        assert count_hyper(c, ss.Symbolic, ss.HyperValue) == 0
        dna = ss.encode(ssw.space, c)
        assert ss.eq(ss.materialize(ssw.space, dna), c)
        d = ss.random_dna(sspec, srng)
        assert ss.encode(ssw.space, ss.materialize(ssw.space, d)) == d
        assert ss.eq(ss.from_json_str(ss.to_json_str(c)), c)
        k = ss.clone(c)
        assert k is not c and ss.eq(k, c) and k.blocks is not c.blocks and k.stem is not c.stem
        a, b = ss_fresh(c), ss_fresh(c)
        assert not ss_has_cache(a) and ss.eq(a, b) and ss.hash(a) == ss.hash(b)
        w = 64 if c.blocks[0].width != 64 else 96
        k.rebind({"blocks[0].width": w, "dropout": 0.125})
        assert k.blocks[0].width == w and k.dropout == 0.125 and not ss.eq(k, c)
        assert ss.hash(k) != ss.hash(c)
        f1, f2 = ss_fresh(c), ss_fresh(k)
        assert not ss.eq(f1, f2)

    # --- the two spaces describe the same candidates ---
    for c in samples[:10]:   # every PyGlove sample is a symsearch candidate ...
        x = from_plain(to_plain(c, pgw), ssw)
        assert ss.eq(ss.materialize(ssw.space, ss.encode(ssw.space, x)), x)
    for c in ssamples[:10]:  # ... and vice versa.
        x = from_plain(to_plain(c, ssw), pgw)
        assert pg.eq(tmpl.decode(tmpl.encode(x)), x)


# ---------------------------------------------------------------------------------------
# Timing.
# ---------------------------------------------------------------------------------------
class Row:
    """One benchmark row for one framework.

    ``prepare(n)`` builds the inputs of one batch (untimed); ``run(inputs)`` does the n
    operations (timed). Returns ops/s as the median over repeats.
    """

    def __init__(self, prepare: Callable[[int], Any], run: Callable[[Any], None]):
        self.prepare, self.run = prepare, run

    def time_once(self, n: int) -> float:
        inputs = self.prepare(n)
        gc.collect()
        was = gc.isenabled()
        gc.disable()
        try:
            t0 = time.perf_counter()
            self.run(inputs)
            dt = time.perf_counter() - t0
        finally:
            if was:
                gc.enable()
        return dt

    def measure(self, target_s: float, repeats: int, n_min: int, n_max: int) -> tuple:
        n = n_min
        dt = self.time_once(n)
        while dt < target_s / 8 and n < n_max:  # calibrate
            n = min(n_max, n * 4)
            dt = self.time_once(n)
        n = max(n_min, min(n_max, int(n * target_s / max(dt, 1e-9))))
        rates = [n / self.time_once(n) for _ in range(repeats)]
        return statistics.median(rates), n


def _pool(make_one: Callable[[int], Any], size: int) -> Callable[[int], list]:
    """``prepare(n)``: n inputs cycling over a fixed pool of ``size`` items."""
    items = [make_one(i) for i in range(size)]
    return lambda n: [items[i % size] for i in range(n)]


def make_rows(pgw: SimpleNamespace, ssw: SimpleNamespace, pool_size: int) -> dict:
    pg, ss = pgw.mod, ssw.mod
    pspace, sspace = pgw.space, ssw.space
    pspec, sspec = pg.dna_spec(pspace), ss.dna_spec(sspace)
    tmpl = pg.template(pspace)
    pcands = list(pg.random_sample(pspace, pool_size, seed=11))
    scands = ss.random_sample(sspace, pool_size, seed=11)
    for c in scands:
        ss_clear_caches(c)
    seeds = iter(range(10**9))

    def rebind_args(c):
        w = 64 if c.blocks[0].width != 64 else 96
        return {"blocks[0].width": w, "dropout": 0.125 if c.dropout != 0.125 else 0.25}

    rows = {}
    # random_sample: one call producing n candidates.
    rows["random_sample"] = (
        Row(lambda n: (n, next(seeds)),
            lambda a: list(pg.random_sample(pspace, a[0], seed=a[1]))),
        Row(lambda n: (n, next(seeds)),
            lambda a: ss.random_sample(sspace, a[0], seed=a[1])),
    )

    def pg_dnas(n):
        r = random.Random(next(seeds))
        return [pg.random_dna(pspec, r) for _ in range(n)]

    def ss_dnas(n):
        r = random.Random(next(seeds))
        return [ss.random_dna(sspec, r) for _ in range(n)]

    def run_each(fn):
        def run(xs):
            for x in xs:
                fn(x)
        return run

    def run_pairs(fn):
        def run(xs):
            for a, b in xs:
                fn(a, b)
        return run

    rows["materialize"] = (
        Row(pg_dnas, run_each(lambda d: pg.materialize(pspace, d))),
        Row(ss_dnas, run_each(lambda d: ss.materialize(sspace, d))),
    )
    rows["materialize_tmpl"] = (
        Row(pg_dnas, run_each(tmpl.decode)),
        Row(ss_dnas, run_each(lambda d: ss.materialize(sspace, d))),
    )
    rows["encode"] = (
        Row(_pool(lambda i: pcands[i], pool_size), run_each(tmpl.encode)),
        Row(_pool(lambda i: scands[i], pool_size), run_each(lambda c: ss.encode(sspace, c))),
    )
    rows["clone"] = (
        Row(_pool(lambda i: pcands[i], pool_size), run_each(lambda c: c.clone(deep=True))),
        Row(_pool(lambda i: scands[i], pool_size), run_each(ss.clone)),
    )

    def pg_rebind_inputs(n):
        out = []
        for i in range(n):
            c = pcands[i % pool_size].clone(deep=True)
            out.append((c, rebind_args(c)))
        return out

    def ss_rebind_inputs(n):
        out = []
        for i in range(n):
            c = ss_fresh(scands[i % pool_size])
            out.append((c, rebind_args(c)))
        return out

    rows["rebind"] = (
        Row(pg_rebind_inputs, run_pairs(lambda c, a: c.rebind(a))),
        Row(ss_rebind_inputs, run_pairs(lambda c, a: c.rebind(a))),
    )
    rows["hash"] = (
        Row(lambda n: [pcands[i % pool_size].clone(deep=True) for i in range(n)],
            run_each(pg.hash)),
        Row(lambda n: [ss_fresh(scands[i % pool_size]) for i in range(n)], run_each(ss.hash)),
    )
    rows["eq"] = (
        Row(lambda n: [(pcands[i % pool_size].clone(deep=True),
                        pcands[i % pool_size].clone(deep=True)) for i in range(n)],
            run_pairs(pg.eq)),
        Row(lambda n: [(ss_fresh(scands[i % pool_size]), ss_fresh(scands[i % pool_size]))
                       for i in range(n)],
            run_pairs(ss.eq)),
    )
    rows["json_roundtrip"] = (
        Row(_pool(lambda i: pcands[i], pool_size),
            run_each(lambda c: pg.from_json_str(c.to_json_str()))),
        Row(_pool(lambda i: scands[i], pool_size),
            run_each(lambda c: ss.from_json_str(ss.to_json_str(c)))),
    )
    return rows


# ---------------------------------------------------------------------------------------
# Reporting.
# ---------------------------------------------------------------------------------------
def _fmt_rate(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def _verdict(ratio: float, target: Optional[float]) -> str:
    if target is None:
        return "-"
    return "yes" if ratio >= target else "NO"


def print_table(results: list, quick: bool) -> None:
    headers = ["row", "pyglove ops/s", "symsearch ops/s", "ratio (ss/pg)", "target", "met?"]
    body = []
    for name, pg_rate, ss_rate, ratio, target in results:
        body.append([name, _fmt_rate(pg_rate), _fmt_rate(ss_rate), f"{ratio:,.1f}x",
                     f">= {target:g}x" if target is not None else "-",
                     _verdict(ratio, target)])
    title = "symsearch vs PyGlove " + ("(--quick: tiny batches, not meaningful)" if quick
                                       else "(ops/s, median of 3)")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        Console = None
    if Console is not None:
        table = Table(title=title)
        for i, h in enumerate(headers):
            table.add_column(h, justify="left" if i == 0 else "right")
        for r in body:
            table.add_row(*r)
        Console(width=120).print(table)
        return
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    print(title)
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                    for i, (h, w) in enumerate(zip(headers, widths))))
    print("  ".join("-" * w for w in widths))
    for r in body:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))


def profile_row(name: str, row: Row, n: int, top: int = 18) -> str:
    inputs = row.prepare(n)
    prof = cProfile.Profile()
    prof.enable()
    row.run(inputs)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return (f"--- cProfile of symsearch on '{name}' ({n} ops; by tottime, then cumulative) "
            f"---\n" + out.getvalue())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny batches (smoke test)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile symsearch on every row that misses its target")
    parser.add_argument("--rows", nargs="*", default=None, help="only these rows")
    args = parser.parse_args(argv)

    try:
        import pyglove  # noqa: F401
    except ImportError:
        print("pyglove is not installed: pip install pyglove==0.4.5", file=sys.stderr)
        return 2
    import pyglove as pg
    import symsearch as ss

    pgw, ssw = build_pyglove(), build_symsearch()
    check(pgw, ssw)
    print(f"correctness checks passed (pyglove {pg.__version__}, symsearch {ss.__version__}, "
          f"python {sys.version.split()[0]}, {NUM_HYPER_PRIMITIVES} hyper primitives)")

    if args.quick:
        target_s, repeats, n_min, n_max, pool = 0.0, 3, 3, 3, 8
    else:
        target_s, repeats, n_min, n_max, pool = 0.5, 3, 10, 200_000, 256
    rows = make_rows(pgw, ssw, pool)
    names = [r for r in TARGETS if args.rows is None or r in args.rows]

    results = []
    for name in names:
        pg_row, ss_row = rows[name]
        pg_rate, _ = pg_row.measure(target_s, repeats, n_min, n_max)
        ss_rate, _ = ss_row.measure(target_s, repeats, n_min, n_max)
        results.append((name, pg_rate, ss_rate, ss_rate / pg_rate, TARGETS[name]))

    print_table(results, args.quick)
    print()
    for name, _, _, ratio, target in results:
        if target is None:
            print(f"ratio {name}: {ratio:.1f}x (no target: {ROW_DOC[name]})")
        else:
            print(f"ratio {name}: {ratio:.1f}x (target >= {target:g}x) "
                  f"{'OK' if ratio >= target else 'MISSED'}")
    missed = [r[0] for r in results if r[4] is not None and r[3] < r[4]]
    targeted = [r for r in results if r[4] is not None]
    print()
    if missed:
        print(f"overall: {len(targeted) - len(missed)}/{len(targeted)} targets met; "
              f"missed: {', '.join(missed)}")
    else:
        print(f"overall: all {len(targeted)} targets met")

    if args.profile and missed:
        for name in missed:
            _, ss_row = rows[name]
            n = 50 if args.quick else 5000
            if name == "random_sample":
                print(profile_row(name, Row(lambda _n: (n, 0), ss_row.run), n))
            else:
                print(profile_row(name, ss_row, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
