"""The core: a neural network in NumPy, the part a learner reads in one sitting.

In reading order: :mod:`~glassnet.core.activations` (each ``g`` and ``g'``),
:mod:`~glassnet.core.losses` (each loss from the logits, and why ``dZ = A - Y``),
:mod:`~glassnet.core.initializers`, :mod:`~glassnet.core.targets` (``y`` as the
matrix ``Y``), :mod:`~glassnet.core.network` (``forward`` and ``backward``),
:mod:`~glassnet.core.trace` (what a pass computed), :mod:`~glassnet.core.dropout`,
:mod:`~glassnet.core.optimizers`, :mod:`~glassnet.core.clipping` and
:mod:`~glassnet.core.gradcheck`.
It imports nothing but NumPy, :mod:`glassnet.errors` and :mod:`glassnet.validation`.
"""

from glassnet.core.clipping import clip_by_global_norm
from glassnet.core.dropout import check_dropout, draw_masks
from glassnet.core.gradcheck import GradientCheck, check_gradients
from glassnet.core.network import Gradients, Network, Trace, backward, cost, encode_targets, forward
from glassnet.core.optimizers import Adam, AdamW, GradientDescent, Optimizer, make_optimizer

__all__ = [
    "Adam",
    "AdamW",
    "GradientCheck",
    "GradientDescent",
    "Gradients",
    "Network",
    "Optimizer",
    "Trace",
    "backward",
    "check_dropout",
    "check_gradients",
    "clip_by_global_norm",
    "cost",
    "draw_masks",
    "encode_targets",
    "forward",
    "make_optimizer",
]
