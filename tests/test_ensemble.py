"""An ensemble: N networks merged into one whose logits are the mean of theirs.

``merge_networks`` lays the members side by side (block-diagonal hidden layers, the
output layer averaging); the merged network's Z[L] must equal the mean of the members'
Z[L] for any rows, with and without the numeric embedding, and a regression ensemble
predicts the mean of its members' predictions. ``--ensemble N`` writes one model file.
"""

import numpy as np
import pandas as pd
import pytest

import glassnet
from glassnet import Network, forward
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig
from glassnet.runs.config_check import check_run
from glassnet.runs.ensemble import merge_networks
from glassnet.runs.run import run_training

X = np.random.default_rng(1).normal(size=(64, 4))  # (n, n_x)


def members(output: str, hidden: list[int], embedding: int | None, n: int = 3) -> list[Network]:
    n_out = 3 if output == "softmax" else 1
    return [
        Network([4, *hidden, n_out], output=output, random_state=seed, embedding=embedding)
        for seed in range(n)
    ]


@pytest.mark.parametrize(
    ("output", "hidden", "embedding"),
    [
        ("softmax", [6, 5], 3),
        ("sigmoid", [7], None),
        ("identity", [3, 3, 3], 2),
        ("sigmoid", [], 2),
    ],
)
def test_the_ensembles_logits_are_the_mean_of_its_members(output, hidden, embedding):
    networks = members(output, hidden, embedding)
    merged = merge_networks(networks)
    L = merged.n_layers
    mean_logits = np.mean([forward(network, X).Z[L] for network in networks], axis=0)
    np.testing.assert_allclose(forward(merged, X).Z[L], mean_logits, rtol=1e-12, atol=1e-12)
    assert merged.layer_sizes[1:-1] == [3 * units for units in hidden]
    if embedding is not None:  # N K sines per feature: every member's own
        assert merged.embedding is not None and merged.embedding.n_frequencies == 3 * embedding


def test_a_regression_ensemble_predicts_the_mean_of_its_members():
    networks = members("identity", [8], None, n=5)
    mean = np.mean([network.predict_output(X) for network in networks], axis=0)
    np.testing.assert_allclose(merge_networks(networks).predict_output(X), mean, rtol=1e-12)


def test_a_classifier_ensemble_is_not_the_mean_of_probabilities():
    """The logits are averaged: the probabilities' geometric mean, not their arithmetic one."""
    networks = members("softmax", [6], None)
    probabilities = [network.predict_output(X) for network in networks]
    merged = merge_networks(networks).predict_output(X)
    geometric = np.exp(np.mean(np.log(probabilities), axis=0))
    np.testing.assert_allclose(merged, geometric / geometric.sum(axis=1, keepdims=True))
    assert not np.allclose(merged, np.mean(probabilities, axis=0), atol=1e-6)


def test_networks_of_different_layouts_are_refused():
    with pytest.raises(InputError, match="one layout"):
        merge_networks([*members("sigmoid", [4], None, 1), *members("sigmoid", [5], None, 1)])


def test_an_ensemble_run_writes_one_model_whose_network_holds_every_member(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["u", "v"], size=300)})
    frame["y"] = np.where(frame["a"] + (frame["b"] == "u") > 0.5, "hi", "lo")
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    config = RunConfig(data=str(path), target="y", hidden=(8,), epochs=5, recipe="tabular")
    single = run_training(config)
    result = run_training(RunConfig(**{**config.__dict__, "ensemble": 3}))
    assert result.network.layer_sizes == [3, 24, 1]
    assert single.network.layer_sizes == [3, 8, 1]
    W1, W2 = result.network.W[1], result.network.W[2]  # member 0: the single run's network
    np.testing.assert_array_equal(W1[:3, :8], single.network.W[1][:3])  # the rows of X itself
    np.testing.assert_allclose(W2[:8] * 3, single.network.W[2], rtol=1e-15)  # W[L] / N
    glassnet.save(result.model, tmp_path / "model.npz")
    loaded = glassnet.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.predict_proba(frame), result.model.predict_proba(frame))
    assert loaded.config["ensemble"] == 3


def test_an_ensemble_is_not_resumed():
    with pytest.raises(InputError, match="cannot be resumed"):
        check_run(RunConfig(ensemble=2, resume_from="model.npz"))
