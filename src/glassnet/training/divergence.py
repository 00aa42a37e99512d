"""Divergence: the error a run raises, and the weights a monitored run falls back to.

A run diverges when its cost or its weights become NaN or inf. A run that monitors a
cost (a validation set, or EarlyStopping) restores instead the weights of its best
finite epoch (:class:`BestFiniteWeights`), as scikit-learn's ``early_stopping`` does.
"""

import warnings

from glassnet.errors import DivergenceError, DivergenceWarning
from glassnet.training.callbacks import BestEpoch, TrainingState, copy_weights


def diverged(state: TrainingState, value: float | None) -> DivergenceError:
    """The error for a run that diverged at ``state.epoch``: the cost ``value``, or the weights."""
    what = "the weights became NaN or inf" if value is None else f"the cost became {value}"
    error = DivergenceError(
        f"training diverged at epoch {state.epoch}: {what}. Try a smaller learning rate "
        f"(it was {state.optimizer.learning_rate:g}), standardised features, or more L2 (alpha)"
    )
    error.history = state.history  # type: ignore[attr-defined]
    state.history.stop_reason = str(error)
    return error


class BestFiniteWeights(BestEpoch):
    """The weights of the epoch that scored the best monitored cost so far (finite by construction).

    The monitored cost and which weights scored it are
    :class:`~glassnet.training.callbacks.BestEpoch`' rules; ``best_epoch`` is that
    epoch, ``None`` until one scored a finite cost.
    """

    def on_epoch_end(self, state: TrainingState) -> None:
        self.update(state)

    def restore(self, state: TrainingState, error: DivergenceError, stacklevel: int = 2) -> None:
        """Put the best epoch's weights back into the network, stop, and warn.

        The warning points ``stacklevel`` frames up from here (as ``warnings.warn``'s).
        """
        copy_weights(self.best_weights, state.network)
        if state.history.best_epoch is None:
            state.history.best_epoch = self.best_epoch
        reason = f"{error}. The weights of epoch {self.best_epoch}, which scored the best cost "
        reason += f"({self.best:.6g}), are restored."
        state.request_stop(reason)
        warnings.warn(reason, DivergenceWarning, stacklevel=stacklevel)
