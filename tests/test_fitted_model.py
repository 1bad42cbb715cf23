"""The fitted model as one value (``model_``), and pickles of earlier releases."""

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import EmbeddingEncoder, load_adult_sample
from sklearn_embed._model import FittedModel

DATA = Path(__file__).parent / "data"

# Three epochs stop the fits short on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def fitted():
    X, y = load_adult_sample()
    X = X.iloc[:2_000]
    encoder = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y[:2_000])
    return encoder, X


@pytest.mark.parametrize("output", ["vectors", "vectors+prediction", "prediction"])
@pytest.mark.parametrize("remainder", ["passthrough", "drop"])
def test_transform_is_the_fitted_models_transform(fitted, output, remainder):
    encoder, X = fitted
    encoder = pickle.loads(pickle.dumps(encoder)).set_params(output=output, remainder=remainder)
    out, findings = encoder.model_.transform(X, output, remainder)
    np.testing.assert_array_equal(out, encoder.transform(X))
    names = encoder.model_.feature_names_out(list(X.columns), output, remainder)
    assert names.tolist() == encoder.get_feature_names_out().tolist()
    assert encoder.model_.n_outputs(output, remainder) == out.shape[1] == len(names)
    assert findings == []


def test_the_model_predicts_what_the_prediction_column_holds(fitted):
    encoder, X = fitted
    log_odds = encoder.model_.transform(X, "prediction", "drop")[0][:, 0]
    proba = encoder.model_.predict(X)[:, 0]
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-log_odds)), rtol=1e-5)


def test_the_models_tables_are_the_published_ones(fitted):
    encoder, _ = fitted
    assert isinstance(encoder.model_, FittedModel)
    for published, table in zip(encoder.embeddings_, encoder.model_.embeddings):
        assert published is table
    assert encoder.model_.network.coefs is encoder.coefs_


def test_a_pickle_of_0_3_dev_loads_and_transforms_as_it_did():
    with open(DATA / "encoder-0.3.0.dev-fit.pkl", "rb") as file:
        encoder = pickle.load(file)  # written by the 0.3.0.dev code before the fitted model
    X = pd.read_csv(DATA / "encoder-0.3.0.dev-X.csv")
    expected = np.load(DATA / "encoder-0.3.0.dev-fit-transform.npy")
    np.testing.assert_array_equal(encoder.transform(X), expected)
    assert isinstance(encoder.model_, FittedModel)
    assert encoder.baseline_validation_score_ is None  # an attribute of a later release


def test_a_pickle_of_0_3_dev_saves_to_a_model_file_that_loads(tmp_path):
    with open(DATA / "encoder-0.3.0.dev-fit.pkl", "rb") as file:
        encoder = pickle.load(file)
    encoder.save(tmp_path / "model.sk-embed")
    loaded = EmbeddingEncoder.load(tmp_path / "model.sk-embed")
    X = pd.read_csv(DATA / "encoder-0.3.0.dev-X.csv")
    np.testing.assert_array_equal(loaded.transform(X), encoder.transform(X))
    assert loaded.baseline_validation_score_ is None


def test_a_pickle_of_0_3_dev_in_the_middle_of_partial_fit_says_to_use_save_and_load():
    with open(DATA / "encoder-0.3.0.dev-partial_fit.pkl", "rb") as file:
        with pytest.raises(TypeError, match=r"EmbeddingEncoder\.save .* EmbeddingEncoder\.load"):
            pickle.load(file)


def test_a_clash_of_output_names_names_the_embedded_column():
    X = pd.DataFrame({"shop": list("abc") * 20, "shop_emb1": range(60)})
    with pytest.raises(ValueError, match=r"embedded column 'shop' outputs \['shop_emb1'\]"):
        EmbeddingEncoder(embedding_dim=2, max_iter=1).fit(X, [0, 1, 1] * 20)
