"""Reference experiment 2: a ReLU hidden layer on the Wisconsin breast-cancer data.

scikit-learn's bundled copy (no download), a stratified 20 % held out,
standardised with the training part's statistics, 16 ReLU hidden units, a sigmoid
output, full-batch gradient descent for 15000 iterations printing the cost every
500, then predictions at threshold 0.5 with accuracy and a confusion matrix on the
held-out data.

Run:  python examples/cancer.py
"""

from sklearn.datasets import load_breast_cancer
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import glassnet as gn

LEARNING_RATE = 0.1


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True)  # (569, 30); 0 = malignant, 1 = benign
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)  # mean and std of the training part only
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    network = gn.Network([30, 16, 1], hidden="relu", output="sigmoid", init="he", random_state=0)
    gn.train(
        network,
        X_train,
        y_train,
        learning_rate=LEARNING_RATE,
        epochs=15000,
        callbacks=[gn.PrintCost(every=500)],
    )
    y_pred = (network.predict_output(X_test)[:, 0] > 0.5).astype(int)  # threshold 0.5
    print(f"held-out accuracy: {accuracy_score(y_test, y_pred):.3f}")
    print("confusion matrix (rows: true malignant, benign; columns: predicted):")
    print(confusion_matrix(y_test, y_pred))


if __name__ == "__main__":
    main()
