"""PyTorch Lightning: ``SymsearchPruningCallback`` reports each epoch and stops pruned fits.

Install with ``pip install "symsearch[lightning]"``. The callback does for a symsearch trial
what Optuna's Lightning pruning callback does for an Optuna trial: after every validation
epoch it reports the monitored metric to the trial (``trial.report(epoch, val_loss=...)``),
and when the search's early-stopping policy (``early_stopping="asha"``...) asks the trial to
stop, it sets ``trainer.should_stop`` so the fit ends after that epoch. The trial is then
recorded as pruned, with the metrics the evaluator returns::

    import lightning as L
    from symsearch.integrations.lightning import SymsearchPruningCallback

    def evaluate(model, trial):                      # model: a symbolic LightningModule
        trainer = L.Trainer(max_epochs=9, callbacks=[SymsearchPruningCallback(trial)])
        trainer.fit(model, train_loader, val_loader)
        return {"val_loss": float(trainer.callback_metrics["val_loss"])}

    ss.search(space, evaluate, objective="min:val_loss", algorithm="tpe", num_trials=30,
              early_stopping={"type": "asha", "min_resource": 1, "max_resource": 9})

``trial`` is what the evaluator receives under ``ss.search`` or the ``Trial`` that
``ss.sample`` yields. The step reported is the number of epochs finished (1 after the first),
the resource unit of ASHA's ``min_resource``/``max_resource``. ``examples/lightning_search.py``
searches a symbolic ``LightningModule``'s hyper-parameters this way.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from symsearch.integrations._require import check_trial, require

_pl = require("lightning.pytorch", "lightning", feature="symsearch.integrations.lightning")


class SymsearchPruningCallback(_pl.Callback):
    """Reports ``monitor`` to a symsearch trial each validation epoch; stops when pruned.

    Args:
      trial: the evaluator's ``trial`` (``ss.search``) or an ``ss.sample`` ``Trial``.
      monitor: the logged metric to report (a key of ``trainer.callback_metrics``).
      metric: the name it is reported under (default: ``monitor``); it must be the name the
        early-stopping policy judges (the search objective's metric unless the policy has
        its own ``metric=``).
    """

    def __init__(self, trial: Any, monitor: str = "val_loss", metric: Optional[str] = None):
        super().__init__()
        check_trial(trial, "SymsearchPruningCallback")
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"SymsearchPruningCallback: monitor must be a metric name, got "
                             f"{monitor!r}")
        self.trial = trial
        self.monitor = monitor
        self.metric = metric or monitor
        self.pruned = False
        self.pruned_at_epoch: Optional[int] = None

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking:
            return
        value = trainer.callback_metrics.get(self.monitor)
        if value is None:
            available = sorted(trainer.callback_metrics)
            raise KeyError(f"SymsearchPruningCallback: the monitored metric {self.monitor!r} "
                           f"was not logged (logged: {available}); log it with "
                           f"self.log({self.monitor!r}, ...) in validation_step")
        value = float(value)
        if not math.isfinite(value):
            # Nothing sensible to report; the trial's final metrics say what happened.
            return
        epochs_done = trainer.current_epoch + 1
        self.trial.report(epochs_done, **{self.metric: value})
        if self.trial.should_stop():
            self.pruned, self.pruned_at_epoch = True, epochs_done
            trainer.should_stop = True
