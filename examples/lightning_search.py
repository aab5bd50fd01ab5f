"""Search a LightningModule's symbolic hyper-parameters with TPE and ASHA early stopping.

    python examples/lightning_search.py --trials 20 --epochs 9

``LitRegressor`` is an ordinary ``LightningModule`` made symbolic with ``@ss.symbolize``, so
``LitRegressor(hidden=ss.oneof([...]), lr=ss.floatv(...))`` is a search space and each
candidate is a ready-to-fit module. The evaluator fits it with a ``SymsearchPruningCallback``
that reports ``val_loss`` every epoch; ASHA stops the unpromising fits early. Runs on the GPU
when there is one (``accelerator="auto"``), else on the CPU; the data is synthetic (a noisy
non-linear regression), so nothing is downloaded. Needs ``pip install "symsearch[lightning]"``.
"""
from __future__ import annotations

import argparse
import warnings
from typing import Any

import symsearch as ss
from symsearch.integrations._require import require

torch = require("torch", "lightning", feature="examples/lightning_search.py")
L = require("lightning.pytorch", "lightning", feature="examples/lightning_search.py")

from symsearch.integrations.lightning import SymsearchPruningCallback  # noqa: E402


@ss.symbolize
class LitRegressor(L.LightningModule):
    """An MLP regressor; its constructor arguments are the hyper-parameters searched."""

    def __init__(self, hidden: int = 32, layers: int = 1, activation: str = "relu",
                 lr: float = 1e-2, weight_decay: float = 0.0):
        super().__init__()
        act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU}[activation]
        blocks, width = [], 4
        for _ in range(layers):
            blocks += [torch.nn.Linear(width, hidden), act()]
            width = hidden
        self.net = torch.nn.Sequential(*blocks, torch.nn.Linear(width, 1))
        self.lr, self.weight_decay = lr, weight_decay

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.mse_loss(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=self.weight_decay)


SPACE = LitRegressor(hidden=ss.oneof([8, 32, 64]), layers=ss.intv(1, 3),
                     activation=ss.oneof(["relu", "tanh", "gelu"]),
                     lr=ss.floatv(1e-4, 1e-1, scale="log"),
                     weight_decay=ss.floatv(1e-6, 1e-2, scale="log"))


def make_loaders(n: int = 512, seed: int = 0, batch_size: int = 64) -> tuple:
    """Train and validation loaders for y = sin(x0) + x1 * x2 - x3^2 + noise."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = (torch.sin(x[:, 0]) + x[:, 1] * x[:, 2] - x[:, 3] ** 2).unsqueeze(1)
    y = y + 0.05 * torch.randn(n, 1, generator=g)
    split = int(0.8 * n)
    make = lambda a, b, shuffle: torch.utils.data.DataLoader(  # noqa: E731
        torch.utils.data.TensorDataset(a, b), batch_size=batch_size, shuffle=shuffle,
        generator=torch.Generator().manual_seed(seed))
    return make(x[:split], y[:split], True), make(x[split:], y[split:], False)


def make_evaluator(max_epochs: int, loaders: tuple) -> Any:
    """An evaluator fitting a candidate module, reporting val_loss each epoch."""
    train_loader, val_loader = loaders

    def evaluate(model: Any, trial: Any) -> dict:
        pruning = SymsearchPruningCallback(trial, monitor="val_loss")
        trainer = L.Trainer(max_epochs=max_epochs, accelerator="auto", devices=1,
                            callbacks=[pruning], logger=False, enable_checkpointing=False,
                            enable_progress_bar=False, enable_model_summary=False,
                            num_sanity_val_steps=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # Lightning's tips about num_workers etc.
            trainer.fit(model, train_loader, val_loader)
        return {"val_loss": float(trainer.callback_metrics["val_loss"]),
                "epochs": trainer.current_epoch}

    return evaluate


def run(num_trials: int = 20, max_epochs: int = 9, seed: int = 0, algorithm: str = "tpe",
        store: Any = None, n_samples: int = 512) -> Any:
    """Runs the search and returns its ``ss.Result``."""
    import logging
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    torch.manual_seed(seed)
    return ss.search(SPACE, make_evaluator(max_epochs, make_loaders(n_samples, seed=seed)),
                     objective="min:val_loss", algorithm=algorithm, num_trials=num_trials,
                     seed=seed, store=store,
                     early_stopping={"type": "asha", "min_resource": 1,
                                     "max_resource": max_epochs, "reduction_factor": 3})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--algorithm", default="tpe")
    parser.add_argument("--store", default=None, help="a SQLite file to keep the trials in")
    args = parser.parse_args()
    result = run(args.trials, args.epochs, args.seed, args.algorithm, args.store)
    statuses = [r.status for r in result.trials]
    print(f"{len(statuses)} trials: {statuses.count('done')} done, "
          f"{statuses.count('pruned')} pruned by ASHA, {statuses.count('failed')} failed")
    print(f"best val_loss {result.best.metrics['val_loss']:.4f}:")
    print(ss.format(result.best.value))


if __name__ == "__main__":
    main()
