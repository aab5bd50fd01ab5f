"""The NAS-Bench-201-style cell: edge order, graphs, arch strings, canonical forms, the cache."""
import itertools

import networkx as nx
import pytest

import symsearch as ss
from symsearch.cache import EvalCache
from symsearch.spaces.nas import Cell, all_cells, canonical_key, cell_space, nb201_edges
from symsearch.spaces.nas_cell import cell_hasher

C3, C1, SKIP, POOL, NONE = "nor_conv_3x3", "nor_conv_1x1", "skip_connect", "avg_pool_3x3", "none"


def test_edges_follow_nas_bench_201_order():
    assert nb201_edges(4) == [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
    assert len(nb201_edges(5)) == 10 and nb201_edges(5)[6:] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    cell = Cell([C3, C1, SKIP, POOL, NONE, C3])
    assert cell.edges() == [(0, 1, C3), (0, 2, C1), (1, 2, SKIP), (0, 3, POOL), (1, 3, NONE),
                            (2, 3, C3)]


def test_to_graph_carries_ops_and_round_trips():
    cell = Cell([C3, C1, SKIP, POOL, NONE, C3])
    graph = cell.to_graph()
    assert isinstance(graph, nx.DiGraph) and graph.graph == {"input": 0, "output": 3}
    assert graph.edges[1, 2]["op"] == SKIP and graph.number_of_edges() == 6
    assert not cell.to_graph(drop_none=True).has_edge(1, 3)
    assert Cell.from_graph(graph) == cell
    assert Cell.from_graph(cell.to_graph(drop_none=True)) == cell


def test_malformed_graphs_and_cells_name_the_edge():
    graph = nx.DiGraph()
    graph.add_edge(0, 1, op=C3)
    graph.add_edge(2, 1, op=C3)
    with pytest.raises(ValueError, match="edge 2->1 goes backwards"):
        Cell.from_graph(graph)
    graph = nx.DiGraph()
    graph.add_edge(0, 1)
    with pytest.raises(ValueError, match="edge 0->1 has no 'op' attribute"):
        Cell.from_graph(graph)
    with pytest.raises(ValueError, match=r"Cell.ops\[2\] \(edge 1->2\) must be an op name"):
        Cell([C3, C3, 3, C3, C3, C3])
    with pytest.raises(ValueError, match="has 5 ops but a 4-node cell has 6 edges"):
        Cell([C3] * 5)
    with pytest.raises(ValueError, match="n_nodes must be an int >= 2"):
        Cell([], n_nodes=1)


def test_arch_strings_round_trip_and_bad_ones_name_the_edge():
    text = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    cell = Cell.from_arch_str(text)
    assert cell.ops == [C3, C3, C3, SKIP, C3, C3] and cell.to_arch_str() == text
    for c in itertools.islice(all_cells(), 0, 15625, 97):
        assert Cell.from_arch_str(c.to_arch_str()) == c
    assert Cell.from_arch_str("|skip_connect~0|").n_nodes == 2
    with pytest.raises(ValueError, match=r"edge 1->2 should be 'op~1', got 'skip_connect~0'"):
        Cell.from_arch_str("|none~0|+|none~0|skip_connect~0|")
    with pytest.raises(ValueError, match="node 2 must have 2 incoming edges, got 1"):
        Cell.from_arch_str("|none~0|+|none~0|")


def test_dead_edges_and_isomorphic_cells_share_the_graph_canonical_form():
    alive = Cell([C3, NONE, NONE, NONE, C1, NONE])
    dead_branch = Cell([C3, C3, NONE, NONE, C1, NONE])          # 0->2 reaches no output
    longer = Cell([C3, NONE, POOL, NONE, C1, C3])               # 1->2->3 is a live path
    assert dead_branch.canonical() == alive.canonical()
    assert dead_branch.canonical().live_edges() == alive.canonical().live_edges()
    assert set(dead_branch.canonical().ops) == {NONE, C3, C1}
    assert dead_branch.canonical_hash() == alive.canonical_hash()
    assert longer.canonical_hash() != alive.canonical_hash()
    a = Cell([C3, C1, NONE, NONE, SKIP, POOL])
    b = Cell([C1, C3, NONE, NONE, POOL, SKIP])                 # nodes 1 and 2 swapped
    assert a.canonical() == b.canonical() and a.canonical_hash() == b.canonical_hash()
    assert Cell([C3, C1, NONE, NONE, SKIP, C3]).canonical_hash() != a.canonical_hash()
    zero = Cell([C3, C3, C3, NONE, NONE, NONE])
    assert zero.is_zero() and zero.canonical() == Cell([NONE] * 6)


def test_function_level_merges_skip_paths_but_keeps_separate_weights_apart():
    direct = Cell([C3, NONE, NONE, NONE, C1, NONE])             # 0-c3->1-c1->3
    via_skip = Cell([C3, NONE, SKIP, NONE, NONE, C1])           # 0-c3->1-skip->2-c1->3
    assert direct.canonical_hash() != via_skip.canonical_hash()
    assert direct.canonical_hash("function") == via_skip.canonical_hash("function")
    shared = Cell([C3, NONE, SKIP, NONE, C3, C3])               # c3(n1) + c3(n1), one inner conv
    separate = Cell([C3, C3, NONE, NONE, C3, C3])               # c3(c3 x) + c3(c3' x)
    assert shared.canonical_hash("function") != separate.canonical_hash("function")
    pools = Cell([POOL, POOL, NONE, NONE, C3, C3])              # avg_pool has no weights:
    one_pool = Cell([POOL, NONE, SKIP, NONE, C3, C3])           # both nodes hold pool(x)
    assert pools.canonical_hash("function") == one_pool.canonical_hash("function")
    with pytest.raises(ValueError, match="canonical level must be one of"):
        direct.canonical_hash("semantic")


def test_partition_of_the_15625_nas_bench_201_cells():
    from symsearch.evaluators.nas_bench201 import paper_unique_str
    cells = list(all_cells())
    assert len(cells) == 15625
    graph = [canonical_key(tuple(c.ops), 4, "graph") for c in cells]
    function = [canonical_key(tuple(c.ops), 4, "function") for c in cells]
    paper = {paper_unique_str(c) for c in cells}
    assert (len(set(graph)), len(set(function)), len(paper)) == (8765, 6147, 6466)
    # Every graph-level class lies inside one function-level class.
    by_graph = {}
    for g, f in zip(graph, function):
        by_graph.setdefault(g, set()).add(f)
    assert all(len(v) == 1 for v in by_graph.values())


def test_cell_space_names_every_edge_and_materializes_cells():
    space = cell_space()
    spec = ss.dna_spec(space)
    assert [d.name for d in spec.decisions] == ["edge_0_1", "edge_0_2", "edge_1_2", "edge_0_3",
                                                "edge_1_3", "edge_2_3"]
    assert spec.space_size == 5 ** 6
    cell = ss.materialize(space, ss.DNA((3, 3, 3, 1, 3, 3)))
    assert isinstance(cell, Cell) and cell.ops == [C3, C3, C3, SKIP, C3, C3]
    assert ss.encode(space, cell) == ss.DNA((3, 3, 3, 1, 3, 3))
    assert ss.dna_spec(cell_space(3, ops=["a", "b"])).space_size == 8
    with pytest.raises(ValueError, match="hyper-value"):
        space.to_arch_str()
    with pytest.raises(ValueError, match="duplicates"):
        cell_space(ops=["a", "a"])
    whole = Cell(ops=ss.oneof([[NONE] * 6, [SKIP] * 6]))          # a choice of whole cells
    assert {tuple(c.ops) for c in ss.random_sample(whole, 8, seed=0)} == {(NONE,) * 6,
                                                                            (SKIP,) * 6}
    with pytest.raises(ValueError, match="still a search space"):
        whole.edges()


def test_functional_cache_skips_isomorphic_and_dead_edge_duplicates():
    cache = EvalCache("functional")
    a = Cell([C3, C1, NONE, NONE, SKIP, POOL])
    b = Cell([C1, C3, NONE, NONE, POOL, SKIP])
    c = Cell([C3, C1, C3, NONE, SKIP, POOL])
    assert cache.functional_key(a) == cache.functional_key(b) != cache.functional_key(c)
    graph_cache = EvalCache("functional", hasher=cell_hasher("graph"))
    via_skip = Cell([C3, NONE, SKIP, NONE, NONE, C1])
    direct = Cell([C3, NONE, NONE, NONE, C1, NONE])
    assert cache.functional_key(via_skip) == cache.functional_key(direct)
    assert graph_cache.functional_key(via_skip) != graph_cache.functional_key(direct)
    calls = []

    def evaluate(cell):
        calls.append(cell.canonical_hash("function"))
        return {"acc": float(len(cell.live_edges()))}

    result = ss.search(cell_space(), evaluate, objective="max:acc", algorithm="evolution",
                       num_trials=200, seed=0, cache="functional")
    assert result.stats["cached"] > 0
    assert len(calls) == len(set(calls)) == result.stats["done"]


def test_cell_in_a_larger_candidate_is_hashed_by_key_path():
    hasher = cell_hasher("graph", select="cell")
    a = ss.Dict(cell=Cell([C3, C1, NONE, NONE, SKIP, POOL]), lr=0.1)
    b = ss.Dict(cell=Cell([C1, C3, NONE, NONE, POOL, SKIP]), lr=0.1)
    c = ss.Dict(cell=Cell([C1, C3, NONE, NONE, POOL, SKIP]), lr=0.2)
    assert hasher.hash(a) == hasher.hash(b) != hasher.hash(c)
