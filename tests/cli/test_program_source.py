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
