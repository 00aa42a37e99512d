"""A TrainedModel's scikit-learn preprocessor and target scaler travel in its model file.

The model predicts from raw tables (text, missing cells) after loading exactly as
before; its transformers come back with the same fitted attributes; a file without
them keeps the older layout; a preprocessor a file cannot hold is refused on save.
"""

import inspect
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from glassnet.core.network import Network
from glassnet.data.array_encoders import LabelCodec
from glassnet.errors import InputError, ModelFileError
from glassnet.files.model_file import load, save
from glassnet.runs.model import TrainedModel

pytestmark = pytest.mark.skipif(
    "preprocessor" not in inspect.signature(TrainedModel).parameters,
    reason="TrainedModel takes no preprocessor yet",
)
NUMERIC, CATEGORICAL = ["bill", "flipper"], ["island", "sex"]


def table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n).astype(object),
            "bill": rng.normal(44.0, 5.0, n),
            "flipper": rng.normal(200.0, 14.0, n),
            "sex": rng.choice(["female", "male"], n).astype(object),
        }
    )
    frame.loc[rng.random(n) < 0.1, "island"] = np.nan
    frame.loc[rng.random(n) < 0.1, "bill"] = np.nan
    return frame


def fitted_preprocessor(frame, numbers=None):
    """The ColumnTransformer glassnet's tables use (glassnet.data.make_preprocessor's)."""
    numbers = numbers or Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]
    )
    categories = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    ct = ColumnTransformer(
        [("numeric", numbers, NUMERIC), ("categorical", categories, CATEGORICAL)],
        remainder="drop",
        verbose_feature_names_out=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ct.fit(frame)


def network(n_in, n_out, output, seed=0):
    net = Network([n_in, 5, n_out], hidden="tanh", output=output, random_state=seed)
    for b in net.b.values():
        b[:] = np.random.default_rng(seed + 1).standard_normal(b.shape)
    return net


def assert_same_transformer(loaded, original, X):
    assert type(loaded) is type(original)
    assert np.array_equal(loaded.transform(X), original.transform(X), equal_nan=True)
    assert repr(loaded.get_params(deep=True)) == repr(original.get_params(deep=True))


def test_a_classifier_with_its_preprocessor_predicts_from_raw_tables_after_loading(tmp_path):
    frame = table()
    preprocessor = fitted_preprocessor(frame)
    width = len(preprocessor.get_feature_names_out())
    species = np.array(["Adelie", "Chinstrap", "Gentoo"])[np.arange(len(frame)) % 3]
    model = TrainedModel(
        network(width, 3, "softmax"),
        "classification",
        preprocessor=preprocessor,
        label_codec=LabelCodec().fit(species),
        target_name="species",
    )
    loaded = load(save(model, tmp_path / "model.npz"))
    assert_same_transformer(loaded.preprocessor, preprocessor, frame)
    assert loaded.feature_names == model.feature_names
    new = table(20, seed=4)
    new.loc[0, "island"] = "Atlantis"  # unseen: all zeros
    new.loc[1, ["bill", "sex"]] = np.nan
    for rows in (frame, new):
        assert np.array_equal(loaded.predict(rows), model.predict(rows))
        assert np.array_equal(loaded.predict_proba(rows), model.predict_proba(rows))


def test_a_regressor_with_its_target_scaler_predicts_in_the_targets_units(tmp_path):
    frame = table()
    preprocessor = fitted_preprocessor(frame)
    mass = np.random.default_rng(1).normal(4200.0, 800.0, (len(frame), 1))
    scaler = StandardScaler().fit(mass)
    model = TrainedModel(
        network(len(preprocessor.get_feature_names_out()), 1, "identity"),
        "regression",
        preprocessor=preprocessor,
        target_scaler=scaler,
        target_name="body_mass_g",
    )
    loaded = load(save(model, tmp_path / "model.npz"))
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        assert np.array_equal(getattr(loaded.target_scaler, name), getattr(scaler, name))
    assert np.array_equal(loaded.predict(frame), model.predict(frame))
    assert abs(np.mean(loaded.predict(frame))) > 100  # grams, not standardised units


def test_a_model_without_transformers_keeps_the_older_layout(tmp_path):
    codec = LabelCodec().fit(["a", "b"])
    model = TrainedModel(network(3, 1, "sigmoid"), "classification", label_codec=codec)
    path = save(model, tmp_path / "model.npz")
    with np.load(path) as archive:
        payload = json.loads(archive["metadata"].tobytes())["payload"]
    assert "preprocessor" not in payload and "target_scaler" not in payload
    assert load(path).preprocessor is None


def test_a_preprocessor_a_file_cannot_hold_is_refused_naming_the_step(tmp_path):
    frame = table().fillna({"bill": 0.0})
    preprocessor = fitted_preprocessor(
        frame, numbers=FunctionTransformer(np.log1p, feature_names_out="one-to-one")
    )
    model = TrainedModel(
        network(len(preprocessor.get_feature_names_out()), 1, "identity"),
        "regression",
        preprocessor=preprocessor,
    )
    with pytest.raises(InputError, match=r"preprocessor/numeric.*FunctionTransformer"):
        save(model, tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").exists()


def test_a_preprocessor_that_no_longer_reproduces_its_rows_is_refused(tmp_path):
    frame = table()
    preprocessor = fitted_preprocessor(frame)
    model = TrainedModel(
        network(len(preprocessor.get_feature_names_out()), 1, "identity"),
        "regression",
        preprocessor=preprocessor,
    )
    path = save(model, tmp_path / "model.npz")
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(arrays.pop("metadata").tobytes())
    metadata["payload"]["preprocessor"]["sklearn_version"] = "1.3.0"
    metadata["payload"]["preprocessor"]["check"]["output"]["values"][0] += 1e-6
    np.savez(path, metadata=np.frombuffer(json.dumps(metadata).encode(), np.uint8), **arrays)
    with pytest.raises(ModelFileError, match=r"payload\.preprocessor does not reproduce") as caught:
        load(path)
    assert "scikit-learn 1.3.0" in str(caught.value)
