"""Views of an experiment store: the data the dashboard shows and the same views as static
images.

>>> import os, tempfile
>>> import symsearch as ss
>>> from symsearch import viz
>>> folder = tempfile.mkdtemp()
>>> store = os.path.join(folder, "x.db")
>>> _ = ss.search(ss.Dict(x=ss.floatv(0.0, 1.0)), lambda c: {"loss": c["x"]},
...               objective="min:loss", algorithm="random", num_trials=8, seed=0, store=store)
>>> path = viz.save_plot(store, "history", os.path.join(folder, "history.png"))

``LiveStore`` opens a store read-only for viewing while a search writes it; ``KINDS`` lists
the plot kinds (history, pareto, importance, parallel, slice, intermediate).
"""
from symsearch.viz.decisions import DecisionColumn, DecisionTable
from symsearch.viz.importance import decision_importance
from symsearch.viz.live import LiveStore
from symsearch.viz.programs import candidate_diff, candidate_source, key_paths
from symsearch.viz.static import (KINDS, PlotError, draw_history, draw_importance,
                                  draw_intermediate, draw_parallel, draw_pareto, draw_slice,
                                  save_plot)
from symsearch.viz.table import TrialTable

__all__ = ["LiveStore", "TrialTable", "DecisionColumn", "DecisionTable", "decision_importance",
           "candidate_source", "candidate_diff", "key_paths", "KINDS", "PlotError",
           "save_plot", "draw_history", "draw_pareto", "draw_importance", "draw_parallel",
           "draw_slice", "draw_intermediate"]
