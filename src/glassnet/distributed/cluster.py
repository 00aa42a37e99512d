"""The cluster: a Dask ``Client`` from an address (:func:`connect`), and the rounds a fit runs.

A Client made from ``"local"`` owns its cluster: ``client.close()`` stops both. Both
kinds keep Dask's own log lines quiet while they are open (a ``LocalCluster`` by its
``silence_logs``, a ``tcp://`` Client as a :class:`QuietClient`): a lost scheduler is
reported once, by glassnet.

A fit runs in rounds (an iteration of full-batch descent, an L-BFGS evaluation, a
round of local SGD), each a pure function of the last parameters. :class:`Rounds`
runs them: when a worker dies, Dask recomputes its lost chunks from their source and
reruns its tasks; if the round still fails it is run again from the same parameters
(at most ``retries`` times), so it gives the same numbers; when the scheduler itself
goes away, :class:`SchedulerLost` carries the last good parameters out.
"""

import contextlib
import logging
import os
import warnings
from collections.abc import Callable
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Any, TypeVar

import dask
import numpy as np
from distributed import Client, Future, default_client, wait
from distributed.comm.core import CommClosedError
from distributed.scheduler import KilledWorker
from distributed.utils import silence_logging_cmgr

from glassnet.core.network import Network
from glassnet.distributed.script_guard import check_script_guard
from glassnet.errors import GlassnetError, InputError

CONNECT_TIMEOUT = "5s"  # how long a tcp:// address may take to answer before it counts as down
SCHEMES = ("tcp://", "tls://")  # the addresses a Dask scheduler listens on
FORMS = "'local', 'local:N' (N workers), 'tcp://HOST:PORT', or a distributed.Client"
RETRIES = 3  # a round that fails this many more times stops the fit
QUIET_LEVEL = logging.CRITICAL  # Dask's log lines a tcp:// Client lets through: none in practice
POLL_SECONDS = 0.2  # how often a wait for a round looks whether the scheduler is still there
# what a round raises when a worker (or the data it held) was lost
WORKER_LOST = (KilledWorker, CancelledError, CommClosedError, ConnectionError, TimeoutError)
T = TypeVar("T")
MEMORY_HINT = (
    "a worker that dies again and again has most often gone over its memory limit: give "
    "smaller chunks (X.rechunk({0: ROWS}), from_store(path, chunk_rows=ROWS)) or the "
    "workers more memory (LocalCluster(memory_limit=...), dask worker --memory-limit), "
    "and look at the workers' logs"
)


class SchedulerLost(GlassnetError, ConnectionError):  # noqa: N818  the name the CLI catches
    """The Dask scheduler went away while a model was training.

    ``address`` is the scheduler's; ``parameters`` are the last good ones,
    ``[W[1], b[1], ..., W[L], b[L]]`` (``Network.parameters()`` order), after
    ``rounds`` finished rounds: save them and resume from them on a new cluster.
    """

    def __init__(self, address: str, parameters: list[Any], rounds: int) -> None:
        super().__init__(
            f"the Dask scheduler at {address} went away after {rounds} finished round(s): "
            "training stopped. The last good parameters are kept on this error "
            "(.parameters); start the scheduler again (or use 'local') and resume from them"
        )
        self.address = address
        self.parameters = parameters
        self.rounds = rounds


class RoundFailedError(GlassnetError, RuntimeError):
    """A round failed on every retry, though the scheduler was still there."""


@dataclass
class RoundState:
    """What ``on_round`` receives after each round of a fit.

    ``round`` counts from 1; ``cost`` is the round's training cost (the cost
    before the update for full-batch descent and L-BFGS, the mean batch cost for
    local SGD); ``parameters`` are [W[1], b[1], ..., W[L], b[L]] after the round
    (copies: keep them); ``epoch`` counts the passes over the data begun so far;
    ``epoch_end`` says whether the round finished that pass: every round of
    full-batch descent and L-BFGS does, a round of local SGD only if it is its
    epoch's last.
    """

    round: int
    cost: float
    parameters: list[np.ndarray]
    epoch: int
    epoch_end: bool = True


# scores(network): more columns of an epoch's History row, from the network after the epoch
# (a --dask run's validation part: {"val_cost": ..., "val_metric": ...})
Scores = Callable[[Network], dict[str, float]]


class Rounds:
    """The rounds of one fit: each retried when a worker dies; SchedulerLost without a scheduler.

    Parameters
    ----------
    client
        The Client the rounds run on.
    parameters
        The parameters before the first round: the last good ones until a round ends.
    on_round
        Called with a :class:`RoundState` after each round, or None.
    retries
        How many more times a failed round runs before :class:`RoundFailedError`.
    """

    def __init__(
        self,
        client: Client,
        parameters: list[np.ndarray],
        on_round: Callable[[RoundState], None] | None = None,
        retries: int = RETRIES,
    ) -> None:
        self.client = client
        self.address = scheduler_address(client)
        self.good = [param.copy() for param in parameters]
        self.count = 0
        self.on_round = on_round
        self.retries = retries

    def run(self, round_: Callable[[], T]) -> T:
        """``round_()``, run again from the start while it fails for a lost worker."""
        failure: Exception | None = None
        for _ in range(self.retries + 1):
            if self.client.status != "running":
                raise self.lost() from failure
            try:
                return round_()
            except WORKER_LOST as error:
                failure = error
        if self.client.status != "running":
            raise self.lost() from failure
        raise RoundFailedError(
            f"round {self.count + 1} failed {self.retries + 1} times though the scheduler at "
            f"{self.address} is up ({type(failure).__name__}: {failure}): the workers keep "
            f"dying; {MEMORY_HINT}"
        ) from failure

    def finished(
        self, cost: float, parameters: list[np.ndarray], epoch: int, epoch_end: bool = True
    ) -> None:
        """Record a finished round's parameters as the last good ones, and report it."""
        self.good = [param.copy() for param in parameters]
        self.count += 1
        if self.on_round is not None:
            copies = [param.copy() for param in self.good]
            self.on_round(RoundState(self.count, cost, copies, epoch, epoch_end))

    def lost(self) -> "SchedulerLost":
        """The error for a scheduler gone: its address and the last good parameters."""
        return SchedulerLost(self.address, self.good, self.count)


def gather_round(client: Client, futures: list[Future]) -> list[Any]:
    """The results of ``futures``, waiting while the scheduler is there.

    A lost scheduler is noticed within ``POLL_SECONDS`` (the Client would otherwise
    wait for it to come back for its whole connection timeout) and raised as a
    ``ConnectionError``, which :meth:`Rounds.run` turns into :class:`SchedulerLost`.
    """
    while True:
        if client.status != "running":
            raise ConnectionError(f"the scheduler at {scheduler_address(client)} went away")
        try:
            wait(futures, timeout=POLL_SECONDS)
        except TimeoutError:
            continue
        return client.gather(futures)


def connect(address: "str | Client | None" = None) -> Client:
    """A Dask Client for ``address``: a local cluster, a running scheduler, or the current one.

    Parameters
    ----------
    address
        ``"local"`` (a ``LocalCluster`` with one single-threaded worker process per
        core), ``"local:N"`` (N such workers), ``"tcp://HOST:PORT"`` (a running
        scheduler), a ``distributed.Client`` (returned as it is) or ``None`` (the
        current default Client).

    Returns
    -------
    distributed.Client

    Raises
    ------
    InputError
        For an address of no known form, a scheduler that does not answer within
        a few seconds (the message names the address), or ``None`` with no Client made.
    """
    if isinstance(address, Client):
        return address
    if address is None:
        return _current_client()
    if not isinstance(address, str):
        raise InputError(f"a Dask address must be {FORMS}, got {address!r}")
    if address == "local" or address.startswith("local:"):
        return _local_client(address)
    if address.startswith(SCHEMES):
        return _remote_client(address)
    raise InputError(f"unknown Dask address {address!r}: give {FORMS}")


def _local_client(address: str) -> Client:
    """A Client owning a new LocalCluster of single-threaded worker processes."""
    count = address.partition(":")[2]
    if count and not (count.isdigit() and int(count) > 0):
        raise InputError(
            f"unknown Dask address {address!r}: 'local:N' needs a whole number of workers "
            "N >= 1, e.g. 'local:2'"
        )
    n_workers = int(count) if count else os.cpu_count() or 1
    start_method = dask.config.get("distributed.worker.multiprocessing-method", "spawn")
    check_script_guard(f"connect({address!r})", str(start_method))
    with warnings.catch_warnings():  # no dashboard is asked for: its port taken is no news
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        return Client(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


class QuietClient(Client):
    """A Client of a running scheduler that keeps Dask's log lines quiet while it is open.

    A LocalCluster silences the ``distributed`` loggers' console handlers for its life;
    this does the same for a ``tcp://`` scheduler, until (and while) the Client closes.
    A lost scheduler then reaches the user as glassnet's one error (:class:`SchedulerLost`),
    not as Dask's tracebacks of a connection that failed to come back.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._quiet = contextlib.ExitStack()
        self._quiet.enter_context(silence_logging_cmgr(QUIET_LEVEL))
        try:
            super().__init__(*args, **kwargs)
        except BaseException:
            self._quiet.close()
            raise

    def close(self, *args: Any, **kwargs: Any) -> Any:
        """Close the Client, then let Dask's log lines through again."""
        try:
            return super().close(*args, **kwargs)
        finally:
            self._quiet.close()


def _remote_client(address: str) -> Client:
    """A Client of the scheduler at ``address``, or an InputError if it does not answer."""
    try:
        return QuietClient(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(
            f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT} ({error}): "
            "check the host and port, start one there with `dask scheduler --port PORT` "
            "(and workers with `dask worker ADDRESS`), or use 'local' for a cluster on "
            "this machine"
        ) from None


def _current_client() -> Client:
    """The default Client, or an InputError saying how to make one."""
    try:
        return default_client()
    except ValueError:
        raise InputError(
            "no Dask Client is running in this process: make one with "
            "glassnet.distributed.connect('local') (or connect('tcp://HOST:PORT'), or "
            "distributed.Client(...)) and pass it as client="
        ) from None


def scheduler_address(client: Client) -> str:
    """The address of ``client``'s scheduler, as the user would type it."""
    return str(client.scheduler.address)
