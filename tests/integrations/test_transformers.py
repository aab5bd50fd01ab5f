"""symsearch_hyperparameter_search and SymsearchTrainerCallback with a real Trainer.

The model is a randomly initialised one-layer BERT (hidden size 16) built from a config, on
synthetic token data: nothing is downloaded.
"""
import os

import pytest

import symsearch as ss

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import (BertConfig, BertForSequenceClassification, Trainer,  # noqa: E402
                          TrainingArguments)

from symsearch.integrations.transformers import (SymsearchTrainerCallback,  # noqa: E402
                                                 symsearch_hyperparameter_search,
                                                 training_args_overrides)


class TokenData(torch.utils.data.Dataset):
    """Label 1 when token 5 occurs in the sequence."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(6, 32, (n, 8), generator=g)
        flip = torch.rand(n, generator=g) < 0.5
        self.ids[flip, torch.randint(0, 8, (int(flip.sum()),), generator=g)] = 5
        self.labels = flip.long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(8, dtype=torch.long),
                "labels": self.labels[i]}


def model_init(params):
    params = params or {"dropout": 0.0}          # Trainer() itself calls model_init(None)
    return BertForSequenceClassification(BertConfig(
        vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=16, num_labels=2,
        hidden_dropout_prob=params["dropout"]))


SPACE = ss.Dict(learning_rate=ss.floatv(1e-4, 1e-2, scale="log"),
                weight_decay=ss.floatv(0.0, 0.1), dropout=ss.oneof([0.0, 0.1]))


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    args = TrainingArguments(output_dir=str(tmp_path_factory.mktemp("hf")), num_train_epochs=2,
                             per_device_train_batch_size=16, per_device_eval_batch_size=32,
                             eval_strategy="epoch", save_strategy="no", logging_strategy="no",
                             report_to=[], disable_tqdm=True, use_cpu=True, seed=0)
    return Trainer(model_init=model_init, args=args, train_dataset=TokenData(64, 0),
                   eval_dataset=TokenData(32, 1))


class StopAtFirstReport:
    def report(self, trial_id, step, metrics):
        return True


def test_search_trains_each_candidate_and_returns_the_best_run(trainer):
    learning_rate = trainer.args.learning_rate
    best = symsearch_hyperparameter_search(trainer, SPACE, objective="min:eval_loss",
                                           algorithm="random", n_trials=3, seed=0)
    result = best.run_summary
    assert len(result.trials) == 3 and all(r.status == "done" for r in result.trials)
    assert best.objective == pytest.approx(min(r.metrics["eval_loss"] for r in result.trials))
    assert set(best.hyperparameters) == {"learning_rate", "weight_decay", "dropout"}
    # One report per evaluation (2 epochs of 4 optimizer steps), by global step.
    assert [[r["step"] for r in t.reports] for t in result.trials] == [[4, 8]] * 3
    # Different learning rates train differently; the trainer's own args are restored.
    assert len({round(t.metrics["eval_loss"], 6) for t in result.trials}) == 3
    assert trainer.args.learning_rate == learning_rate


def test_pruned_trials_stop_training_early(trainer):
    best = symsearch_hyperparameter_search(trainer, SPACE, algorithm="random", n_trials=2,
                                           seed=1, early_stopping=StopAtFirstReport())
    trials = best.run_summary.trials
    assert [t.status for t in trials] == ["pruned", "pruned"]
    assert all(len(t.reports) == 1 and t.metrics["epoch"] == pytest.approx(1.0) for t in trials)


def test_overrides_are_checked_against_training_arguments(trainer):
    assert training_args_overrides({"learning_rate": 1e-3, "dropout": 0.1}, strict=False) == \
        {"learning_rate": 1e-3}
    with pytest.raises(ValueError, match=r"'learnig_rate' .* did you mean \['learning_rate'"):
        training_args_overrides({"learnig_rate": 1e-3})
    plain = Trainer(model_init=lambda: model_init({"dropout": 0.0}), args=trainer.args,
                    train_dataset=trainer.train_dataset, eval_dataset=trainer.eval_dataset)
    with pytest.raises(ValueError, match="'dropout'.*model_init takes no argument"):
        symsearch_hyperparameter_search(plain, SPACE, n_trials=1)
    with pytest.raises(TypeError, match="must be a symsearch trial"):
        SymsearchTrainerCallback(object())
