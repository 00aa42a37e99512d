"""One L2 term: ``l2_penalty(network, l2) = (l2 / 2) sum_l ||W[l]||^2``, the biases left out.

The training cost (``cost``), the cluster's reduced cost (``distributed.reduction``) and a
cluster run's validation cost all add this one function's value; it is checked by hand,
and bit for bit against the sum they each wrote before (layer by layer, each ``vdot`` a
Python float, then times l2 / 2), in float32 and float64.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet.core.network import cost, forward, l2_penalty


def test_the_l2_term_worked_by_hand():
    network = gn.Network.from_weights(
        W=[[[1.0, 2.0], [3.0, 4.0]], [[1.0], [-2.0]]],  # ||W[1]||^2 = 30, ||W[2]||^2 = 5
        b=[[100.0, 100.0], [100.0]],  # biases are not penalised
        hidden="tanh",
    )
    assert l2_penalty(network, 0.1) == pytest.approx(0.05 * 35, rel=1e-15)  # (0.1 / 2) (30 + 5)
    assert l2_penalty(network, 0.0) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_it_is_the_sum_each_caller_wrote_bit_for_bit(dtype):
    network = gn.Network(
        [7, 13, 5, 3], hidden="relu", output="softmax", dtype=dtype, random_state=4
    )
    l2 = 0.37 / 1234
    written = 0.5 * l2 * sum(float(np.vdot(W, W)) for W in network.W.values())
    assert l2_penalty(network, l2) == written


def test_the_cost_adds_it_to_the_loss():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40).astype(float)
    network = gn.Network([3, 4, 1], hidden="tanh", output="sigmoid", random_state=1)
    trace, Y = forward(network, X), y.reshape(-1, 1)
    assert cost(network, trace, Y, l2=0.2) == cost(network, trace, Y) + l2_penalty(network, 0.2)
