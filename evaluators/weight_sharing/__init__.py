"""Weight sharing: supernets derived from symbolic spaces, trained on sampled paths.

- :mod:`.supernet`: :func:`supernet`, :func:`choose`, :func:`read`, :class:`Supernet`,
  :class:`WeightSharingError`;
- :mod:`.layers`: widths and depths as decisions (sliced ``linear``, ``conv2d``,
  ``batch_norm2d``, ``repeat``);
- :mod:`.cell_model`: the cell network's model code (standalone and supernet);
- :mod:`.macro_model`: NAS-A's macro ``ConvNet`` space's model code;
- :mod:`.lm_model`: the tiny-LM transformer space's model code (``spaces/nas_lm.py``);
- :mod:`.one_shot`: single-path one-shot training and inherited-weight scoring;
- :mod:`.few_shot`: few-shot NAS, one sub-supernet per value of a decision;
- :mod:`.finalists`: :func:`~.finalists.one_shot_search`, an inherited-weight search whose
  best distinct candidates are then scored standalone (``finalists=k``);
- :mod:`.lm_one_shot`: one-shot training and inherited loss for the LM space;
- :mod:`.batched`: several paths scored in one forward pass;
- :mod:`.digits_cell`: the experiment evaluator whose ``weight_sharing`` key is the switch;
- :mod:`.nested`: a search whose every evaluation is an inner search.

Needs PyTorch (``pip install "symsearch[torch]"``).
"""
from symsearch.evaluators.weight_sharing.layers import batch_norm2d, conv2d, linear, repeat
from symsearch.evaluators.weight_sharing.space_supernet import (ChoiceModule, Supernet,
                                                          WeightSharingError, choose, read,
                                                          supernet, value_of)

__all__ = ["ChoiceModule", "Supernet", "WeightSharingError", "batch_norm2d", "choose", "conv2d",
           "linear", "read", "repeat", "supernet", "value_of"]
