"""Learning-rate schedules: the rates train records against the module's formulas."""

import math

import numpy as np
import pytest

from glassnet import (
    ExponentialDecay,
    GradientDescent,
    History,
    InputError,
    InverseScaling,
    Network,
    ReduceOnPlateau,
    StepDecay,
    TrainingState,
    make_schedule,
    train,
)
from glassnet.training.schedules import Constant, CosLog, WarmupCosine

LR0 = 0.2
EPOCHS = 12


class RecordingDescent(GradientDescent):
    """Plain gradient descent that remembers the learning rate of every step it takes."""

    def __init__(self, learning_rate):
        super().__init__(learning_rate)
        self.used = []

    def step(self, params, grads):
        self.used.append(self.learning_rate)
        super().step(params, grads)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1, 1, (20, 2)), rng.normal(1, 1, (20, 2))])
    y = np.repeat([0, 1], 20)
    return X, y


def run(schedule, data, epochs=EPOCHS, batch_size=None):
    X, y = data
    network = Network([2, 3, 1], random_state=0)
    optimizer = RecordingDescent(LR0)
    history = train(
        network,
        X,
        y,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=[schedule],
        random_state=0,
    )
    return history, optimizer


@pytest.mark.parametrize(
    ("schedule", "formula"),
    [
        (Constant(), lambda e: LR0),
        (StepDecay(step_size=5, gamma=0.5), lambda e: LR0 * 0.5 ** math.floor(e / 5)),
        (StepDecay(step_size=1, gamma=0.9), lambda e: LR0 * 0.9**e),
        (ExponentialDecay(gamma=0.8), lambda e: LR0 * 0.8**e),
        (InverseScaling(power_t=0.5), lambda e: LR0 / math.sqrt(e + 1)),
        (InverseScaling(power_t=1.0), lambda e: LR0 / (e + 1)),
    ],
    ids=["constant", "step5", "step1", "exponential", "invscaling", "invscaling1"],
)
def test_history_records_the_formula(schedule, formula, blobs):
    history, optimizer = run(schedule, blobs)
    expected = [formula(e) for e in range(EPOCHS)]
    np.testing.assert_allclose(history["learning_rate"], expected, rtol=1e-14, atol=0)
    # and the optimizer really stepped with it (one full-batch step per epoch)
    np.testing.assert_allclose(optimizer.used, expected, rtol=1e-14, atol=0)


def test_step_decay_values_by_hand(blobs):
    history, _ = run(StepDecay(step_size=3, gamma=0.1), blobs, epochs=7)
    np.testing.assert_allclose(
        history["learning_rate"],
        [0.2, 0.2, 0.2, 0.02, 0.02, 0.02, 0.002],
        rtol=1e-14,
    )


def test_schedule_holds_its_rate_for_every_mini_batch_step_of_an_epoch(blobs):
    history, optimizer = run(ExponentialDecay(gamma=0.5), blobs, epochs=4, batch_size=16)
    steps_per_epoch = math.ceil(40 / 16)
    assert len(optimizer.used) == 4 * steps_per_epoch
    expected = [LR0 * 0.5**e for e in range(4) for _ in range(steps_per_epoch)]
    np.testing.assert_allclose(optimizer.used, expected, rtol=1e-14)
    np.testing.assert_allclose(history["learning_rate"], [LR0 * 0.5**e for e in range(4)])


def test_without_a_schedule_the_rate_is_constant(blobs):
    X, y = blobs
    history = train(Network([2, 3, 1], random_state=0), X, y, learning_rate=0.07, epochs=5)
    assert history["learning_rate"] == [0.07] * 5


def test_make_schedule_by_name(blobs):
    history, _ = run(make_schedule("exponential", gamma=0.5), blobs, epochs=3)
    np.testing.assert_allclose(history["learning_rate"], [0.2, 0.1, 0.05], rtol=1e-14)
    assert isinstance(make_schedule("step", step_size=2), StepDecay)
    assert isinstance(make_schedule("plateau", patience=2), ReduceOnPlateau)


def test_make_schedule_unknown_name_lists_the_names():
    with pytest.raises(InputError) as error:
        make_schedule("cosine")
    for known in ("constant", "step", "exponential", "invscaling", "plateau"):
        assert known in str(error.value)


# --- ReduceOnPlateau, driven by a fake run ------------------------------------------------


def fake_state(learning_rate=0.1):
    return TrainingState(
        network=None, optimizer=GradientDescent(learning_rate), history=History(), epochs=100
    )


def feed(callback, state, costs, column="cost"):
    """Append each cost as an epoch's row and call on_epoch_end; return lr after each epoch."""
    rates = []
    for value in costs:
        state.epoch = len(state.history)
        state.history.append(epoch=state.epoch, **{column: value})
        callback.on_epoch_end(state)
        rates.append(state.optimizer.learning_rate)
    return rates


def test_plateau_lowers_after_patience_stalled_epochs():
    plateau = ReduceOnPlateau(factor=0.5, patience=3, min_delta=0.0, min_lr=1e-6)
    state = fake_state(0.1)
    plateau.on_train_begin(state)
    # improves for epochs 0..2, then stalls: epochs 3, 4, 5 are the three stalled ones
    rates = feed(plateau, state, [1.0, 0.9, 0.8, 0.8, 0.85, 0.81])
    assert rates == [0.1, 0.1, 0.1, 0.1, 0.1, 0.05]
    # the count restarts after a reduction: three more stalled epochs for the next one
    rates = feed(plateau, state, [0.9, 0.9, 0.9])
    assert rates == [0.05, 0.05, 0.025]


def test_plateau_improvement_resets_the_wait():
    plateau = ReduceOnPlateau(factor=0.5, patience=3, min_delta=0.0)
    state = fake_state(0.1)
    plateau.on_train_begin(state)
    rates = feed(plateau, state, [1.0, 1.0, 1.0, 0.5, 0.6, 0.6, 0.4])
    assert rates == [0.1] * 7


def test_plateau_honours_min_delta():
    plateau = ReduceOnPlateau(factor=0.1, patience=2, min_delta=0.05)
    state = fake_state(1.0)
    plateau.on_train_begin(state)
    # each epoch improves by 0.01 only: not more than min_delta, so these are stalls
    rates = feed(plateau, state, [1.0, 0.99, 0.98])
    np.testing.assert_allclose(rates, [1.0, 1.0, 0.1], rtol=1e-14)


def test_plateau_never_goes_below_min_lr():
    plateau = ReduceOnPlateau(factor=0.1, patience=1, min_delta=0.0, min_lr=1e-3)
    state = fake_state(0.5)
    plateau.on_train_begin(state)
    rates = feed(plateau, state, [1.0] * 6)
    np.testing.assert_allclose(rates, [0.5, 0.05, 0.005, 1e-3, 1e-3, 1e-3], rtol=1e-12)


def test_plateau_never_raises_the_rate():
    # a learning rate already below min_lr must not be "reduced" up to min_lr
    plateau = ReduceOnPlateau(factor=0.5, patience=1, min_delta=0.0, min_lr=1e-3)
    state = fake_state(1e-4)
    plateau.on_train_begin(state)
    rates = feed(plateau, state, [1.0, 1.0, 1.0])
    assert max(rates) <= 1e-4, rates  # ReduceOnPlateau set it to min_lr: 10 times higher


def test_plateau_monitors_validation_cost_when_present():
    plateau = ReduceOnPlateau(factor=0.5, patience=2, min_delta=0.0)
    state = fake_state(0.1)
    plateau.on_train_begin(state)
    rates = []
    # the training cost keeps falling, the validation cost stalls: the rate drops
    for epoch, (cost, val_cost) in enumerate([(1.0, 1.0), (0.9, 1.0), (0.8, 1.1)]):
        state.epoch = epoch
        state.history.append(epoch=epoch, cost=cost, val_cost=val_cost)
        plateau.on_epoch_end(state)
        rates.append(state.optimizer.learning_rate)
    assert rates == [0.1, 0.1, 0.05]


def test_plateau_in_a_real_run_is_recorded(blobs):
    X, y = blobs
    network = Network([2, 3, 1], random_state=0)
    # a huge min_delta makes every epoch after the first a stall
    plateau = ReduceOnPlateau(factor=0.5, patience=2, min_delta=10.0, min_lr=0.01)
    history = train(network, X, y, learning_rate=0.2, epochs=8, callbacks=[plateau])
    np.testing.assert_allclose(
        history["learning_rate"], [0.2, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-14
    )


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: StepDecay(step_size=0), "step_size"),
        (lambda: StepDecay(step_size=2.5), "step_size"),
        (lambda: StepDecay(gamma=0.0), "gamma"),
        (lambda: StepDecay(gamma=1.0), "gamma"),
        (lambda: StepDecay(gamma=-0.5), "gamma"),
        (lambda: ExponentialDecay(gamma=1.5), "gamma"),
        (lambda: ExponentialDecay(gamma=0), "gamma"),
        (lambda: InverseScaling(power_t=0.0), "power_t"),
        (lambda: InverseScaling(power_t=-1.0), "power_t"),
        (lambda: ReduceOnPlateau(factor=1.0), "factor"),
        (lambda: ReduceOnPlateau(factor=0.0), "factor"),
        (lambda: ReduceOnPlateau(patience=0), "patience"),
        (lambda: ReduceOnPlateau(patience=1.5), "patience"),
    ],
)
def test_bad_arguments_raise(build, name):
    with pytest.raises(InputError, match=name):
        build()


# --- numbers: Python or NumPy, never booleans; unknown options are input errors ---------------


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: StepDecay(step_size=True), "step_size"),
        (lambda: StepDecay(step_size=np.True_), "step_size"),
        (lambda: ReduceOnPlateau(patience=True), "patience"),
        (lambda: ReduceOnPlateau(min_delta="a"), "min_delta"),
        (lambda: ReduceOnPlateau(min_delta=-1.0), "min_delta"),
        (lambda: ReduceOnPlateau(min_lr=None), "min_lr"),
        (lambda: ReduceOnPlateau(min_lr=float("nan")), "min_lr"),
        (lambda: ExponentialDecay(gamma=True), "gamma"),
        (lambda: InverseScaling(power_t=True), "power_t"),
    ],
)
def test_booleans_and_non_numbers_are_input_errors(build, name):
    with pytest.raises(InputError, match=f"{name} must"):
        build()


def test_numpy_numbers_give_the_rates_of_the_formulas(blobs):
    history, _ = run(StepDecay(step_size=np.int64(4), gamma=np.float32(0.5)), blobs)
    expected = [LR0 * 0.5 ** (e // 4) for e in range(EPOCHS)]  # lr0 * gamma ** floor(e / 4)
    np.testing.assert_allclose(history["learning_rate"], expected, rtol=1e-15)
    history, _ = run(ExponentialDecay(gamma=np.float64(0.9)), blobs)
    np.testing.assert_allclose(
        history["learning_rate"], [LR0 * 0.9**e for e in range(EPOCHS)], rtol=1e-14
    )
    plateau = ReduceOnPlateau(factor=np.float32(0.5), patience=np.int64(2), min_lr=np.int64(0))
    assert (plateau.factor, plateau.patience, plateau.min_lr) == (0.5, 2, 0.0)


@pytest.mark.parametrize(
    ("name", "options", "takes"),
    [
        ("step", {"decay": 0.5}, "step_size, gamma"),
        ("plateau", {"gamma": 0.5, "lr": 1}, "factor, patience, min_delta, min_lr"),
        ("constant", {"gamma": 0.5}, "no options"),
    ],
)
def test_make_schedule_refuses_an_unknown_option_naming_those_it_takes(name, options, takes):
    with pytest.raises(InputError) as error:
        make_schedule(name, **options)
    message = str(error.value)
    assert all(option in message for option in options)
    assert message.endswith(f"it takes {takes}")


# --- schedules per step: a warm-up + cosine decay, and RealMLP's log-cosine cycles ----------

STEPS_PER_EPOCH = 4  # 40 blobs in batches of 10


def run_steps(schedule, blobs, epochs=3):
    """The rate of every step train took (mini-batches of 10), and the History."""
    history, optimizer = run(schedule, blobs, epochs=epochs, batch_size=10)
    return optimizer.used, history


def test_warmup_cosine_values_by_hand(blobs):
    """T = 12 steps, W = 3: lr(s) = 0.2 min(1, (s + 1) / 3) (1 + cos(pi s / 12)) / 2."""
    used, _ = run_steps(WarmupCosine(total_steps=12, warmup_steps=3), blobs)
    assert len(used) == 12
    assert used[0] == pytest.approx(0.2 * (1 / 3) * 1.0, rel=1e-15)  # cos 0 = 1
    assert used[1] == pytest.approx(0.2 * (2 / 3) * (1 + math.cos(math.pi / 12)) / 2, rel=1e-15)
    assert used[2] == pytest.approx(0.2 * (1 + math.cos(math.pi * 2 / 12)) / 2, rel=1e-15)
    assert used[6] == pytest.approx(0.1, rel=1e-15)  # halfway: (1 + cos(pi / 2)) / 2 = 1/2
    assert used[11] == pytest.approx(0.2 * (1 + math.cos(math.pi * 11 / 12)) / 2, rel=1e-15)
    assert used == sorted(used[:3]) + sorted(used[3:], reverse=True)  # up, then down


def test_coslog4_values_by_hand(blobs):
    """T = 15 steps: lr(s) = 0.2 (1 - cos(2 pi log2(1 + s))) / 2, 0 where 1 + s is 1, 2, 4, 8."""
    used, _ = run_steps(CosLog(total_steps=15), blobs, epochs=4)  # 16 steps, one past T
    for s in (0, 1, 3, 7, 15):
        assert used[s] == pytest.approx(0.0, abs=1e-16)  # log2(1 + s) whole: cos = 1
    for s in (2, 5, 10, 14):
        expected = 0.2 * (1 - math.cos(2 * math.pi * math.log2(1 + 15 * s / 15))) / 2
        assert used[s] == pytest.approx(expected, rel=1e-14)
    assert max(used) > 0.19  # each cycle reaches close to lr0


def test_coslog_peaks_at_lr0_where_its_log_clock_reads_a_half():
    """log2(1 + 15 t) = 1/2 at t = (sqrt(2) - 1) / 15: the first peak, lr = lr0."""
    schedule = CosLog(total_steps=10_000)
    schedule.initial = 0.2
    peak = round(10_000 * (math.sqrt(2) - 1) / 15)
    assert schedule.rate(peak) == pytest.approx(0.2, rel=1e-6)
    assert schedule.rate(10_000) == pytest.approx(0.0, abs=1e-16)
    assert schedule.rate(20_000) == schedule.rate(10_000)  # past T the rate holds at f(1)
    three = CosLog(total_steps=7, cycles=3)  # log2(1 + 7 t): zeros where 1 + s is 1, 2, 4, 8
    three.initial = 1.0
    assert [round(three.rate(s), 12) for s in (0, 1, 3, 7)] == [0.0] * 4


def test_a_warmup_multiplies_the_log_cosine(blobs):
    used, _ = run_steps(CosLog(total_steps=12, warmup_steps=4), blobs)
    for s in (2, 5):
        warm = min(1, (s + 1) / 4)
        expected = 0.2 * warm * (1 - math.cos(2 * math.pi * math.log2(1 + 15 * s / 12))) / 2
        assert used[s] == pytest.approx(expected, rel=1e-14)


def test_the_history_records_the_rate_of_the_next_step(blobs):
    used, history = run_steps(WarmupCosine(total_steps=12, warmup_steps=2), blobs)
    after_last = 0.0  # step 12 = T: (1 + cos(pi)) / 2
    assert history["learning_rate"] == pytest.approx([used[4], used[8], after_last], abs=1e-16)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: WarmupCosine(total_steps=0), "total_steps"),
        (lambda: WarmupCosine(total_steps=10, warmup_steps=11), "warmup_steps"),
        (lambda: CosLog(total_steps=10, warmup_steps=-1), "warmup_steps"),
        (lambda: CosLog(total_steps=10, cycles=0), "cycles"),
        (lambda: CosLog(total_steps=10.0), "total_steps"),
    ],
)
def test_step_schedules_refuse_bad_arguments(build, name):
    with pytest.raises(InputError, match=name):
        build()
