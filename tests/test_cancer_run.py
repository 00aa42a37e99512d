"""``glassnet train --data cancer`` is reference experiment 2: the numbers of examples/cancer.py.

The command line's run (run_training: its split, its standardisation, its label
encoding) and the script's hand-made pipeline (scikit-learn's split and scaler,
then glassnet.train) must agree to the last tumour: held-out accuracy 0.956 and the
confusion matrix [[40, 2], [3, 69]], rows malignant (0) then benign (1). Whoever
gives the cancer classes their names must keep this.
"""

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import glassnet as gn
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training

README_RUN = RunConfig(data="cancer", hidden=(16,), activation=("relu",), lr=0.1, epochs=15000)


def examples_cancer() -> tuple[float, list[list[int]]]:
    """examples/cancer.py's held-out accuracy and confusion matrix."""
    X, y = load_breast_cancer(return_X_y=True)  # 0 = malignant, 1 = benign
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    network = gn.Network([30, 16, 1], hidden="relu", output="sigmoid", init="he", random_state=0)
    gn.train(network, X_train, y_train, learning_rate=0.1, epochs=15000)
    y_pred = (network.predict_output(X_test)[:, 0] > 0.5).astype(int)
    return accuracy_score(y_test, y_pred), confusion_matrix(y_test, y_pred).tolist()


@pytest.mark.slow
def test_the_cli_s_cancer_run_is_examples_cancer_py():
    accuracy, matrix = examples_cancer()
    assert round(accuracy, 3) == 0.956 and matrix == [[40, 2], [3, 69]]
    result = run_training(README_RUN)
    metrics = result.metrics
    assert result.model.classes_.tolist() == ["malignant", "benign"]  # by name, 0 then 1
    assert metrics["test_accuracy"] == pytest.approx(accuracy, abs=0)
    assert metrics["confusion_matrix"] == matrix
    assert metrics["confusion_matrix_part"] == "held-out" and metrics["n_test"] == 114
