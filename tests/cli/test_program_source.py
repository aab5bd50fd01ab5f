"""`symsearch run` prints programs and expression trees as readable source."""
from symsearch.cli.run import program_source
from symsearch.programs import Call, Const, Program, Statement, Var


def test_programs_print_without_dead_statements():
    p = Program(["x"], [Statement("dead", "exp", ["x"]),
                        Statement("y", "mul", ["x", Const(2.0)])], ["y"])
    assert program_source(p) == "def program(x):\n    y = mul(x, 2.0)\n    return y"


def test_expressions_print_as_formulas_and_others_not_at_all():
    assert program_source(Call("add", [Var("x"), Const(1.0)])) == "add(x, 1.0)"
    assert program_source({"a": 1}) is None


def test_an_object_holding_one_expression_prints_it():
    from symsearch.spaces.pruning_metrics import wanda
    assert program_source(wanda()) == "mul(abs(W), X)"


def test_show_prints_programs_as_source_and_distinct_drops_repeats(tmp_path, capsys):
    import symsearch as ss
    from symsearch.cli.main import main
    space = ss.evolve(Program(["x"], [Statement("y", "mul", ["x", Const(2.0)])], ["y"]),
                      lambda p, rng: Program(["x"], [Statement("y", "mul", [
                          "x", Const(float(rng.choice([2.0, 3.0])))])], ["y"]))
    store = str(tmp_path / "programs.db")
    ss.search(space, lambda p: {"loss": float(p.statements[0].args[1].value)},
              objective="min:loss", num_trials=12, seed=0,
              algorithm={"type": "evolution", "population_size": 2, "tournament_size": 1},
              cache=True, store=store)
    assert main(["show", store, "--top", "12"]) == 0
    every = capsys.readouterr().out
    assert "y = mul(x, 2.0); return y" in every and every.count("cached") >= 2
    assert main(["show", store, "--top", "12", "--distinct"]) == 0
    distinct = capsys.readouterr().out
    assert distinct.count("y = mul(x, 2.0); return y") == 1
    assert distinct.count("y = mul(x, 3.0); return y") == 1
