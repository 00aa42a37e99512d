"""The core: a neural network in NumPy, the part a learner reads in one sitting.

In reading order: :mod:`~glassnet.core.activations` (each ``g`` and ``g'``),
:mod:`~glassnet.core.losses` (each loss from the logits, and why ``dZ = A - Y``),
:mod:`~glassnet.core.initializers`, :mod:`~glassnet.core.targets` (``y`` as the
matrix ``Y``), :mod:`~glassnet.core.network` (``forward`` and ``backward``),
:mod:`~glassnet.core.optimizers` and :mod:`~glassnet.core.gradcheck`.
It imports nothing but NumPy, :mod:`glassnet.errors` and :mod:`glassnet.validation`.
"""

from glassnet.core.gradcheck import GradientCheck, check_gradients
from glassnet.core.network import Gradients, Network, Trace, backward, cost, encode_targets, forward
from glassnet.core.optimizers import Adam, GradientDescent, Optimizer, make_optimizer

__all__ = [
    "Adam",
    "GradientCheck",
    "GradientDescent",
    "Gradients",
    "Network",
    "Optimizer",
    "Trace",
    "backward",
    "check_gradients",
    "cost",
    "encode_targets",
    "forward",
    "make_optimizer",
]
