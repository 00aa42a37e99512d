"""One BLAS thread around a run's training loop when its matrices are small."""

import pytest
from threadpoolctl import threadpool_info

from glassnet.runs import RunConfig, run_training
from glassnet.runs.blas_threads import SMALL_BATCH, SMALL_LAYER, blas_threads_for, is_small
from glassnet.training.callbacks import Callback


def blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


class SeeThreads(Callback):
    """Records the BLAS thread counts at the first epoch's end."""

    def __init__(self) -> None:
        self.seen: list[int] | None = None

    def on_epoch_end(self, state) -> None:
        if self.seen is None:
            self.seen = blas_threads()


@pytest.mark.skipif(max(blas_threads(), default=1) < 2, reason="BLAS runs one thread already")
@pytest.mark.parametrize(("width", "one_thread"), [(5, True), (SMALL_LAYER + 1, False)])
def test_a_full_batch_trains_small_layers_on_one_blas_thread_and_large_on_all(width, one_thread):
    before = blas_threads()
    seen = SeeThreads()
    config = RunConfig(data="moons", n_samples=2 * SMALL_BATCH, epochs=1, hidden=(width,))
    run_training(config, callbacks=[seen])
    assert seen.seen == ([1] * len(before) if one_thread else before)
    assert blas_threads() == before  # put back after the loop


def test_the_rule_small_layers_or_small_batches():
    assert is_small([2, SMALL_LAYER, 1], batch_size=10**6)
    assert is_small([2, SMALL_LAYER + 1, 1], batch_size=SMALL_BATCH)
    assert not is_small([SMALL_LAYER + 1, 4, 1], batch_size=SMALL_BATCH + 1)
    with blas_threads_for([2, 4, 1], batch_size=10**6):
        assert set(blas_threads()) <= {1}
