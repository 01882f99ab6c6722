"""What fit() and evaluate() accept (issue 14, item 6): images of the model's
shape as floats in [-1, 1], and labels for a conditional model. Anything else
is refused with one line that says what was expected, what was received and
how to convert it, before a single step changes the weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_keras.data import ArrayBatches, to_model_range
from gan_keras.models import build_model

PIXELS = np.random.default_rng(0).integers(0, 256, (128, 28, 28, 1)).astype("uint8")


@pytest.fixture(scope="module")
def dense_gan():
    model = build_model("gan", seed=0)
    model.compile()
    return model


def weights_of(model):
    return [np.array(v) for v in model.weights]


def refused(model, data, match, **fit_arguments):
    before = weights_of(model)
    with pytest.raises(ValueError, match=match) as error:
        model.fit(data, epochs=1, verbose=0, **fit_arguments)
    assert "\n" not in str(error.value)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights_of(model))), "a refused fit() trained"
    return str(error.value)


def test_uint8_pixels_are_refused_with_the_conversion(dense_gan):
    message = refused(dense_gan, PIXELS, "uint8", batch_size=64)
    assert "to_model_range" in message


def test_floats_in_0_255_are_refused_with_the_conversion(dense_gan):
    message = refused(dense_gan, PIXELS.astype("float32"), r"from 0 to 255", batch_size=64)
    assert "to_model_range" in message


def test_non_finite_images_are_refused(dense_gan):
    images = to_model_range(PIXELS)
    images[3, 4, 5, 0] = np.nan
    refused(dense_gan, images, "non-finite", batch_size=64)


def test_a_wrong_image_shape_names_both_shapes(dense_gan):
    colour = np.zeros((128, 32, 32, 3), "float32")
    message = refused(dense_gan, colour, r"\(batch, 28, 28, 1\)", batch_size=64)
    assert "(batch, 32, 32, 3)" in message


def test_a_missing_channel_axis_is_named(dense_gan):
    refused(dense_gan, to_model_range(PIXELS)[..., 0], r"images\[\.\.\., None\]", batch_size=64)


def test_a_tf_data_pipeline_is_checked_by_its_spec_without_reading_it(dense_gan):
    def never_read(images):
        raise AssertionError("the check read from the pipeline")

    unread = tf.data.Dataset.from_tensor_slices(PIXELS).batch(64).map(
        lambda images: tf.numpy_function(never_read, [images], tf.uint8)
    )
    # numpy_function loses the static shape; give it back so the dtype is what fails
    unread = unread.map(lambda images: tf.ensure_shape(images, (None, 28, 28, 1)))
    refused(dense_gan, unread, "uint8 pixels")
    colour = tf.data.Dataset.from_tensor_slices(np.zeros((64, 32, 32, 3), "float32")).batch(32)
    refused(dense_gan, colour, r"\(batch, 32, 32, 3\)")


class RawBatches(keras.utils.PyDataset):
    """A user's PyDataset that forgot to convert its pixels."""

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return PIXELS[index * 64:(index + 1) * 64].astype("float32")


def test_a_py_dataset_is_checked_on_its_first_batch(dense_gan):
    refused(dense_gan, RawBatches(), "from 0 to 255")
    dense_gan.fit(ArrayBatches(PIXELS, batch_size=64, seed=0), epochs=1, verbose=0)  # uint8 in, [-1, 1] out


def test_a_generator_is_checked_and_its_first_batch_is_still_trained_on(dense_gan):
    images = to_model_range(PIXELS)
    served = []

    def batches():
        for start in (0, 64):
            served.append(start)
            yield (images[start:start + 64],)

    history = dense_gan.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    assert served == [0, 64]
    assert np.isfinite(history.history["d_loss"][0])

    def wrong():
        yield (PIXELS[:64],)

    refused(dense_gan, wrong(), "uint8", steps_per_epoch=1)


def test_a_conditional_model_needs_labels():
    model = build_model("cgan", seed=0)
    model.compile()
    message = refused(model, to_model_range(PIXELS), r"\(images, labels\)", batch_size=64)
    assert "with_labels=True" in message
    labels = np.arange(128) % 10
    history = model.fit(to_model_range(PIXELS), labels, batch_size=64, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])


def test_evaluate_and_validation_data_are_checked_too():
    vae = build_model("vae", seed=0)
    vae.compile()
    with pytest.raises(ValueError, match="uint8"):
        vae.evaluate(PIXELS, batch_size=64, verbose=0)
    with pytest.raises(ValueError, match="validation_data"):
        vae.fit(to_model_range(PIXELS), batch_size=64, epochs=1, verbose=0, validation_data=PIXELS)
    history = vae.fit(to_model_range(PIXELS), batch_size=64, epochs=2, verbose=0, validation_data=to_model_range(PIXELS))
    assert len(history.history["val_loss"]) == 2
    cgan = build_model("cgan", seed=0)
    cgan.compile()
    with pytest.raises(ValueError, match="validation_data of ConditionalGAN"):  # (images, labels) pairs
        cgan.fit(to_model_range(PIXELS), np.arange(128) % 10, batch_size=64, verbose=0,
                 validation_data=(PIXELS, np.arange(128) % 10))


def test_points_of_a_toy_gan_may_lie_outside_minus_one_to_one():
    from gan_keras.models import GAN

    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="generator")
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name="discriminator")
    gan = GAN(generator, discriminator, seed=0)
    gan.compile()
    points = np.random.default_rng(0).normal(0, 3, (64, 2)).astype("float32")
    history = gan.fit(points, batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
