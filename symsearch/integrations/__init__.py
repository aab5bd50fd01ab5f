"""Integrations: symsearch spaces and algorithms inside the libraries people already train with.

One module per library, each importing its library only when used, so ``import symsearch``
never pulls them in; a missing library raises an ImportError naming the extra to install.

- :mod:`~symsearch.integrations.ray_tune`: ``SymsearchSearcher``, a Ray Tune ``Searcher``
  (``pip install "symsearch[tune]"``).
- :mod:`~symsearch.integrations.lightning`: ``SymsearchPruningCallback`` for PyTorch
  Lightning (``"symsearch[lightning]"``).
- :mod:`~symsearch.integrations.transformers`: ``SymsearchTrainerCallback``,
  ``training_args_overrides`` and ``symsearch_hyperparameter_search`` for the Hugging Face
  ``Trainer`` (``"symsearch[transformers]"``).
- :mod:`~symsearch.integrations.sklearn`: ``SymsearchCV``, a scikit-learn ``BaseSearchCV``
  (``"symsearch[sklearn]"``).
- :mod:`~symsearch.integrations.mlflow`: ``MlflowCallback``, logging every trial to a nested
  MLflow run (``"symsearch[mlflow]"``).

Ray Tune, scikit-learn and Transformers drive an algorithm one suggestion at a time through
one shared adapter, :class:`~symsearch.integrations._ask_tell.AskTell`.
"""
