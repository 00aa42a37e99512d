"""``on_round`` for a cluster run: the rounds of ``fit`` turned into the epochs a run records.

    fit's round r ──on_round(RoundState)──> the network holds its parameters
    the epoch's last round ──> a History row (cost, validation cost) and the callbacks'
                               epoch hooks: progress bar, cost lines, early stopping,
                               the checkpoint (glassnet.training.checkpoint)

Full-batch descent has one round per epoch, so each round is an epoch exactly as one
process records it: the cost before the update. Local SGD has several rounds per
epoch (every chunk's rows once, K steps a round); the epoch's cost is then the mean
of its rounds' mean batch costs. A callback that stops training (early stopping, or
a first Ctrl-C between two epochs) ends ``fit`` through :class:`StopRounds`.
"""

from collections.abc import Callable, Sequence

import numpy as np

from glassnet.core.network import Network
from glassnet.core.optimizers import Optimizer
from glassnet.distributed.cluster import RoundState
from glassnet.training.callbacks import Callback
from glassnet.training.epochs import EpochRecord

Validate = Callable[[Network], tuple[float, float]]  # network -> (val_cost, val_metric)


class StopRounds(Exception):  # noqa: N818 (a signal to the run, not an error)
    """Raised from ``on_round`` to end ``fit`` when a callback asked training to stop."""


class EpochsFromRounds(EpochRecord):
    """Drive a run's callbacks from ``fit``'s rounds: an :class:`EpochRecord` fed by ``on_round``.

    Parameters
    ----------
    network
        The run's network: after each round it holds the round's parameters.
    optimizer
        What the callbacks see as ``state.optimizer`` (its learning rate).
    epochs
        The epochs asked for (``--iterations``).
    callbacks
        In the order they run, as :func:`glassnet.train` runs them.
    steps_in_round
        Optimizer steps a round stands for (1 full batch, K local SGD), for the
        callbacks that tell full batch from mini-batches (which weights scored a cost).
    validate
        The validation part's cost and score for the network, or None.
    """

    def __init__(
        self,
        network: Network,
        optimizer: Optimizer,
        epochs: int,
        callbacks: Sequence[Callback],
        *,
        steps_in_round: int,
        validate: Validate | None = None,
    ) -> None:
        super().__init__(network, optimizer, epochs, callbacks)
        self.steps_in_round = steps_in_round
        self.validate = validate
        self.rounds = 0
        self._costs: list[float] = []  # the open epoch's rounds' costs

    def begin(self) -> None:
        """Before the first round: the callbacks' ``on_train_begin``, the first epoch's begin."""
        self.begin_epoch()

    def __call__(self, finished: RoundState) -> None:
        """``fit``'s ``on_round``: the round's parameters in the network; an epoch closed
        when the round finished one."""
        for param, value in zip(self.state.network.parameters(), finished.parameters, strict=True):
            np.copyto(param, value)
        self.rounds = finished.round
        self.state.step += self.steps_in_round
        self._costs.append(finished.cost)
        if finished.epoch_end and self._close_epoch():
            raise StopRounds(self.history.stop_reason)

    def end(self) -> None:
        """After the last round, however ``fit`` ended: a partial epoch closed, then
        ``on_train_end`` (early stopping restores its best weights, the checkpoint is written)."""
        if self._costs:
            self._close_epoch()
        super().end()

    def _close_epoch(self) -> bool:
        """The open epoch's row and hooks (the next epoch begun); whether a callback stopped."""
        cost = float(np.mean(self._costs))  # one round full batch: its cost, exactly
        self._costs = []
        scores = {}
        if self.validate is not None:
            scores["val_cost"], scores["val_metric"] = self.validate(self.state.network)
        if not self.end_epoch(cost, (), **scores):  # no norms: the workers took the steps
            self.begin_epoch()
        return self.state.stop
