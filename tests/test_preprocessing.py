"""Standardizer, LabelCodec and split: the math against NumPy, round trips, errors."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from glassnet.data.array_encoders import LabelCodec, Standardizer, sklearn_seed, split
from glassnet.errors import InputError

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
matrices = arrays(np.float64, array_shapes(min_dims=2, max_dims=2, max_side=12), elements=finite)


# --- Standardizer -------------------------------------------------------------------


def test_standardizer_matches_numpy():
    X = np.random.default_rng(0).normal(3.0, 5.0, size=(50, 4))
    scaler = Standardizer().fit(X)
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(scaler.scale_, X.std(axis=0), rtol=1e-14)
    X_std = scaler.transform(X)
    np.testing.assert_allclose(X_std, (X - X.mean(axis=0)) / X.std(axis=0), rtol=1e-14)
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(X_std.std(axis=0), 1.0, rtol=1e-14)
    assert scaler.n_features_in_ == 4


def test_standardizer_constant_column_maps_to_zero():
    X = np.column_stack([np.full(6, 0.1), np.arange(6.0)])
    scaler = Standardizer()
    X_std = scaler.fit_transform(X)
    assert scaler.scale_[0] == 1.0
    assert np.all(X_std[:, 0] == 0.0)
    assert np.isfinite(X_std).all()
    np.testing.assert_array_equal(scaler.inverse_transform(X_std)[:, 0], X[:, 0])


def test_standardizer_keeps_float32_and_float64():
    X = np.random.default_rng(1).normal(size=(20, 3))
    scaler = Standardizer().fit(X)
    assert scaler.transform(X.astype(np.float32)).dtype == np.float32
    assert scaler.transform(X).dtype == np.float64
    assert scaler.inverse_transform(X.astype(np.float32)).dtype == np.float32
    assert scaler.transform(np.arange(6).reshape(2, 3)).dtype == np.float64
    np.testing.assert_allclose(
        scaler.transform(X.astype(np.float32)), scaler.transform(X), rtol=1e-5, atol=1e-6
    )


@given(matrices)
def test_standardizer_inverse_round_trip(X):
    scaler = Standardizer().fit(X)
    X_std = scaler.transform(X)
    assert np.isfinite(X_std).all()
    back = scaler.inverse_transform(X_std)
    np.testing.assert_allclose(back, X, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(X).max()))


@given(matrices)
def test_standardizer_dict_round_trip_is_exact(X):
    scaler = Standardizer().fit(X)
    restored = Standardizer.from_dict(json.loads(json.dumps(scaler.to_dict())))
    np.testing.assert_array_equal(restored.mean_, scaler.mean_)
    np.testing.assert_array_equal(restored.scale_, scaler.scale_)
    np.testing.assert_array_equal(restored.transform(X), scaler.transform(X))


def test_standardizer_to_dict_holds_plain_floats():
    d = Standardizer().fit([[1.0, 2.0], [3.0, 5.0]]).to_dict()
    assert d == {"mean": [2.0, 3.5], "scale": [1.0, 1.5]}
    assert all(type(v) is float for v in d["mean"] + d["scale"])


def test_standardizer_wrong_feature_count():
    scaler = Standardizer().fit(np.zeros((3, 2)))
    with pytest.raises(InputError, match="X has 3 features but the standardizer was fitted on 2"):
        scaler.transform(np.zeros((3, 3)))


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_standardizer_not_fitted(method):
    with pytest.raises(InputError, match="not fitted yet"):
        getattr(Standardizer(), method)(np.zeros((2, 2)))
    with pytest.raises(InputError, match="not fitted yet"):
        Standardizer().to_dict()


@pytest.mark.parametrize(
    "d",
    [{}, {"mean": [1.0]}, {"mean": [1.0], "scale": [1.0, 2.0]}, {"mean": [1.0], "scale": [0.0]}],
)
def test_standardizer_from_bad_dict(d):
    with pytest.raises(InputError, match="standardizer"):
        Standardizer.from_dict(d)


def test_standardizer_rejects_nan():
    with pytest.raises(InputError, match="NaN"):
        Standardizer().fit([[1.0], [np.nan]])


# --- LabelCodec ---------------------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
label_lists = st.one_of(
    st.lists(st.integers(-(2**62), 2**62), min_size=1),
    st.lists(text, min_size=1),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1),
    st.lists(st.booleans(), min_size=1),
)


@given(label_lists)
def test_label_codec_round_trip(labels):
    y = np.asarray(labels)
    codec = LabelCodec().fit(y)
    indices = codec.encode(y)
    assert indices.dtype == np.int64
    assert indices.min() >= 0
    assert indices.max() < codec.n_classes
    np.testing.assert_array_equal(codec.decode(indices), y)
    np.testing.assert_array_equal(codec.classes_, np.unique(y))


@given(label_lists)
def test_label_codec_json_round_trip_keeps_the_kind(labels):
    codec = LabelCodec().fit(labels)
    restored = LabelCodec.from_dict(json.loads(json.dumps(codec.to_dict())))
    assert restored.classes_.dtype == codec.classes_.dtype
    np.testing.assert_array_equal(restored.classes_, codec.classes_)
    np.testing.assert_array_equal(restored.encode(labels), codec.encode(labels))


def test_label_codec_to_dict_keeps_numbers_and_strings():
    assert LabelCodec().fit([3, 1, 3]).to_dict()["classes"] == [1, 3]
    assert LabelCodec().fit(["b", "a"]).to_dict()["classes"] == ["a", "b"]
    restored = LabelCodec.from_dict(json.loads(json.dumps(LabelCodec().fit([2, 0]).to_dict())))
    assert restored.decode([1]).dtype.kind == "i"


def test_label_codec_indices_follow_sorted_labels():
    codec = LabelCodec().fit(["dog", "cat", "emu", "cat"])
    assert codec.classes_.tolist() == ["cat", "dog", "emu"]
    assert codec.n_classes == 3
    assert codec.encode(["emu", "cat"]).tolist() == [2, 0]
    assert codec.decode(np.array([1.0, 0.0])).tolist() == ["dog", "cat"]


def test_label_codec_accepts_object_strings():
    codec = LabelCodec().fit(np.array(["b", "a"], dtype=object))
    assert codec.encode(np.array(["a"], dtype=object)).tolist() == [0]


def test_label_codec_unseen_labels_show_at_most_five():
    codec = LabelCodec().fit([0, 1])
    with pytest.raises(InputError) as error:
        codec.encode([0, 2, 3, 4, 5, 6, 7, 8, 2])
    message = str(error.value)
    assert "not seen in fit: 2, 3, 4, 5, 6 and 2 more" in message
    assert "known labels are 0, 1" in message


def test_label_codec_strings_are_not_numbers():
    with pytest.raises(InputError, match="not seen in fit: '1'"):
        LabelCodec().fit([0, 1]).encode(["1"])
    with pytest.raises(InputError, match=r"not seen in fit: 1\.5"):
        LabelCodec().fit([1, 2]).encode([1.5])


@pytest.mark.parametrize("indices", [[2], [-1], [0.5], [True]])
def test_label_codec_decode_out_of_range(indices):
    with pytest.raises(InputError, match=r"indices must be whole numbers in \[0, 2\)"):
        LabelCodec().fit(["a", "b"]).decode(np.asarray(indices))


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([], "y is empty"),
        ([[0, 1]], "must be 1-D"),
        ([0.0, np.nan], "NaN or inf"),
        (np.array([1, "a", 2.0], dtype=object), "numbers, strings or booleans"),
    ],
)
def test_label_codec_bad_labels(y, message):
    with pytest.raises(InputError, match=message):
        LabelCodec().fit(y)


def test_label_codec_in_a_given_order_encodes_decodes_and_round_trips():
    y = np.array(["benign", "malignant", "benign", "benign"])
    codec = LabelCodec(order=["malignant", "benign"]).fit(y)
    assert codec.classes_.tolist() == ["malignant", "benign"]  # not sorted: the order given
    np.testing.assert_array_equal(codec.encode(y), [1, 0, 1, 1])
    np.testing.assert_array_equal(codec.decode([0, 1]), ["malignant", "benign"])
    again = LabelCodec.from_dict(json.loads(json.dumps(codec.to_dict())))
    assert again.classes_.tolist() == ["malignant", "benign"]
    np.testing.assert_array_equal(again.encode(y), codec.encode(y))
    with pytest.raises(InputError, match="not seen in fit: 'normal'"):
        codec.encode(["normal"])
    with pytest.raises(InputError, match="'benign' missing from the label order"):
        LabelCodec(order=["malignant"]).fit(y)
    with pytest.raises(InputError, match="distinct labels"):
        LabelCodec(order=["benign", "benign"]).fit(y)


def test_label_codec_not_fitted():
    with pytest.raises(InputError, match="not fitted yet"):
        LabelCodec().encode([0])
    with pytest.raises(InputError, match="not fitted yet"):
        _ = LabelCodec().n_classes


@pytest.mark.parametrize(
    "d", [{}, {"classes": [], "dtype": "<i8"}, {"classes": [2, 1, 2], "dtype": "<i8"}]
)
def test_label_codec_from_bad_dict(d):
    with pytest.raises(InputError, match="label codec"):
        LabelCodec.from_dict(d)


# --- split --------------------------------------------------------------------------


def test_split_keeps_class_proportions():
    y = np.repeat(["a", "b", "c"], [50, 30, 20])
    X = np.arange(200.0).reshape(100, 2)
    X_train, X_test, y_train, y_test = split(X, y, test_size=0.25, random_state=0)
    assert X_train.shape == (75, 2)
    assert X_test.shape == (25, 2)
    assert y_train.shape == (75,)
    assert y_test.shape == (25,)
    for label, count in zip(["a", "b", "c"], [50, 30, 20], strict=True):
        assert abs(np.sum(y_test == label) - 0.25 * count) <= 1
        assert abs(np.sum(y_train == label) - 0.75 * count) <= 1
    rows = np.concatenate([X_train, X_test])[:, 0] // 2
    assert sorted(rows.tolist()) == list(range(100))  # every sample once
    for part_X, part_y in ((X_train, y_train), (X_test, y_test)):
        np.testing.assert_array_equal(part_y, y[(part_X[:, 0] // 2).astype(int)])


def test_split_is_reproducible_and_keeps_float32():
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.tile([0, 1], 20)
    first, again = split(X, y, random_state=3), split(X, y, random_state=3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert first[0].dtype == np.float32
    other = split(X, y, random_state=4)
    assert not np.array_equal(first[1], other[1])


def test_split_regression_without_stratify():
    X = np.arange(10.0).reshape(5, 2)
    y = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    _, X_test, _, y_test = split(X, y, test_size=0.4, stratify=False, random_state=0)
    assert X_test.shape == (2, 2)
    assert set(y_test) <= set(y)
    with pytest.raises(InputError, match="pass stratify=False for a regression target"):
        split(X, y)


@pytest.mark.parametrize("test_size", [0, 0.0, 1, 1.0, -0.1, 1.5, True, "0.2", None])
def test_split_test_size_outside_the_unit_interval(test_size):
    X, y = np.zeros((10, 1)), np.tile([0, 1], 5)
    with pytest.raises(InputError, match=r"test_size must be a fraction in \(0, 1\)"):
        split(X, y, test_size=test_size)


def test_split_rare_class_is_named():
    X, y = np.zeros((9, 1)), np.array(["a"] * 4 + ["b"] * 4 + ["rare"])
    with pytest.raises(InputError) as error:
        split(X, y)
    assert "class 'rare' has only 1 sample(s)" in str(error.value)
    assert "stratify=False" in str(error.value)
    assert len(split(X, y, stratify=False, random_state=0)[1]) == 2


def test_split_test_part_smaller_than_the_classes():
    X, y = np.zeros((12, 1)), np.repeat([0, 1, 2], 4)
    with pytest.raises(InputError, match="gives 2 test sample"):
        split(X, y, test_size=0.1)


def test_split_leaves_no_training_samples():
    with pytest.raises(InputError, match="leaves no training samples"):
        split(np.zeros((2, 1)), [0, 1], test_size=0.9, stratify=False)


def test_split_lengths_must_match():
    with pytest.raises(InputError, match="X has 4 samples but y has 3"):
        split(np.zeros((4, 1)), [0, 1, 0])


def test_sklearn_seed():
    assert sklearn_seed(5) == 5
    assert sklearn_seed(np.random.default_rng(1)) == sklearn_seed(np.random.default_rng(1))
    with pytest.raises(InputError):
        sklearn_seed(2**32)
    with pytest.raises(InputError):
        sklearn_seed(True)  # type: ignore[arg-type]


# --- checked once ------------------------------------------------------------------------


def test_fit_transform_checks_X_once_and_equals_fit_then_transform(monkeypatch):
    import glassnet.data.array_encoders as preprocessing

    X = np.random.default_rng(0).normal(3.0, 5.0, size=(20, 3))
    calls = []
    real = preprocessing.check_X

    def counting(X, *args, **kwargs):
        calls.append(X)
        return real(X, *args, **kwargs)

    monkeypatch.setattr(preprocessing, "check_X", counting)
    X_std = Standardizer().fit_transform(X)
    assert len(calls) == 1 and calls[0] is X
    np.testing.assert_array_equal(X_std, Standardizer().fit(X).transform(X))
    np.testing.assert_allclose(X_std, (X - X.mean(axis=0)) / X.std(axis=0), rtol=1e-14)


@pytest.mark.parametrize("test_size", [np.float32(0.2), np.float64(0.2), 0.2])
def test_a_numpy_test_size_holds_out_the_rows_its_decimal_says(test_size):
    # float(np.float32(0.2)) is 0.2000000030, and ceil(0.2000000030 * 50) would be 11
    X, y = np.arange(100.0).reshape(50, 2), np.repeat([0, 1], 25)
    _, X_test, _, y_test = split(X, y, test_size=test_size, stratify=False, random_state=0)
    assert X_test.shape == (10, 2) and y_test.shape == (10,)  # ceil(0.2 * 50) = 10


@pytest.mark.parametrize("test_size", [np.True_, True, "0.2", None, float("nan")])
def test_test_size_refuses_booleans_and_non_numbers(test_size):
    with pytest.raises(InputError, match=r"test_size must be a fraction in \(0, 1\)"):
        split(np.zeros((4, 1)), [0, 1, 0, 1], test_size=test_size)
