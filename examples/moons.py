"""Reference experiment 1: the tutorial's two-layer network on the moons data.

make_moons(n_samples=500, noise=0.2), 5 tanh hidden units, a sigmoid output,
He initialisation, learning rate 0.3, 5000 full-batch iterations. The cost falls
from about 0.76 to about 0.076 (the brief: about 0.74 to about 0.07).

Run:  python examples/moons.py
"""

from sklearn.datasets import make_moons

import glassnet as gn


def main() -> None:
    X, y = make_moons(n_samples=500, noise=0.2, random_state=0)  # X: (500, 2), y: (500,)
    network = gn.Network([2, 5, 1], hidden="tanh", output="sigmoid", init="he", random_state=0)
    history = gn.train(
        network, X, y, learning_rate=0.3, epochs=5000, callbacks=[gn.PrintCost(every=500)]
    )
    predictions = network.predict_output(X)[:, 0] > 0.5  # y_hat = 1 where A2 > 0.5
    print(f"cost: {history.cost[0]:.4f} -> {history.cost[-1]:.4f}")
    print(f"training accuracy: {(predictions == y).mean():.3f}")


if __name__ == "__main__":
    main()
