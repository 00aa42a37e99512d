"""How a cluster run ends when it cannot finish: the scheduler gone, or the cost diverged.

a round's SchedulerLost ──saved_after_loss──> checkpoint.npz + SchedulerLostError (--resume)
a loss outside the rounds (reading, loading, scoring) ──scheduler_watched──> SchedulerLostError
DivergenceError ──RunResult.forget_checkpoint──> no model left behind
"""

import contextlib
from collections.abc import Iterator

import numpy as np
from distributed import Client

from glassnet.distributed.cluster import WORKER_LOST, SchedulerLost, scheduler_address
from glassnet.errors import GlassnetError
from glassnet.files.model_file import save
from glassnet.runs.result import RunResult


class SchedulerLostError(GlassnetError, ConnectionError):
    """The scheduler went away: the message names it and the checkpoint to resume from."""


@contextlib.contextmanager
def scheduler_watched(client: Client, when: str) -> Iterator[None]:
    """A step outside the rounds: a failure because the scheduler went away is one error."""
    address = scheduler_address(client)
    try:
        yield
    except GlassnetError:
        raise
    except Exception as error:
        if client.status == "running" or not isinstance(error, (*WORKER_LOST, OSError)):
            raise
        raise SchedulerLostError(
            f"the Dask scheduler at {address} went away {when} ({type(error).__name__}): the "
            "run stopped before it finished; start the scheduler again (or use --dask local) "
            "and run the command again"
        ) from None


def saved_after_loss(result: RunResult, lost: SchedulerLost) -> SchedulerLostError:
    """The last good parameters written to checkpoint.npz; the error that says how to go on.

    ``result``'s record (its config, with the cluster's rounds) is saved with them.
    """
    for param, value in zip(result.network.parameters(), lost.parameters, strict=True):
        np.copyto(param, value)
    saved = "no run folder was given (--out), so they were not saved"
    if result.checkpoint is not None:
        record = {"rounds": lost.rounds, "scheduler_lost": lost.address}
        result.record_config()  # with the rounds
        save(result.model.with_weights(result.network, record), result.checkpoint)
        folder = result.checkpoint.parent
        saved = (
            f"the last good parameters are saved in {result.checkpoint}: continue with "
            f"glassnet train --resume {folder} (add --dask ADDRESS for another cluster)"
        )
    return SchedulerLostError(
        f"the Dask scheduler at {lost.address} went away after {lost.rounds} finished "
        f"round(s): training stopped; {saved}"
    )
