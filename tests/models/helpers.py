"""One check that every generative model of the package passes, in the manner
of KerasHub's per-model tests: fit two steps, the metric names, `get_config`
and `.keras` round trips, and `generate`'s shape, range and seed determinism.
Each tests/models/test_*.py adds only the maths of its own paper."""

import keras
import numpy as np


def check_fit_save_load_generate(model, data, metric_names, tmp_path, image_shape=(28, 28, 1)):
    history = model.fit(data.take(2), epochs=1, verbose=0)
    assert sorted(history.history) == sorted(metric_names)
    assert all(np.isfinite(values[0]) for values in history.history.values())

    clone = type(model).from_config(model.get_config())
    assert clone.get_config() == model.get_config()

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.generate(4, seed=5), model.generate(4, seed=5), atol=1e-6)

    images = model.generate(5, seed=3)
    assert images.shape == (5, *image_shape) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, model.generate(5, seed=3))
    assert not np.array_equal(images, model.generate(5, seed=4))
    assert not np.array_equal(model.generate(5), model.generate(5))
    return loaded
