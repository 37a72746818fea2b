"""What lab5_gan_keras's checks share: the data, the checks' own code in the kernel, and one budgeted training run.

The student's kernel runs TensorFlow; the grader's measures run torch (the reference classifier). They never
share a process: the kernel gets NumPy arrays and sends back NumPy arrays, and nothing here imports TensorFlow.
The kit pins tensorflow-cpu, so this lab always trains on the CPU.

The GAN is trained once per kernel by the student's own train_gan_keras, STEPS steps of batches of 128 from
keras.utils.set_random_seed(0), and its samples are made by the checks' own code (the generator called on the
checks' noise, training=False); the three checks that judge them share the run (Submission.once).
"""

import numpy as np
import pytest

from autograder.checks import sample_quality

STEPS = 3000  # about 35 s of the reference's training on one CPU thread (bench/lab5_keras_quality.py)
BATCH_SIZE = 128
SAMPLES = 2000  # the Fréchet distance depends on the number of samples: its threshold holds for 2,000
REDRAWN = 200  # samples drawn again on other noise: a generator's images must depend on its noise

# Installed at each check by the `kernel_code` fixture, among the checks' own _ag_ names, which the kernel keeps
# apart from the notebook's (autograder/kernel/bridge.py); `_ag_store(name, value)` is the bridge's own.
KERNEL_CODE = '''
import numpy as _ag_np
import keras as _ag_keras


def _ag_array(value):
    """A NumPy array of a model's output (a TensorFlow tensor) or of anything array-like."""
    return _ag_np.asarray(_ag_keras.ops.convert_to_numpy(value))


def _ag_models(seed=0, latent_dim=100):
    """(generator, discriminator, gan) built by the student's functions after keras.utils.set_random_seed(seed)."""
    _ag_keras.utils.set_random_seed(seed)
    generator = build_generator(latent_dim)
    discriminator = build_discriminator()
    return generator, discriminator, build_gan(generator, discriminator)


def _ag_weights(model):
    return [_ag_np.array(weight, copy=True) for weight in model.get_weights()]


def _ag_same(before, model):
    after = model.get_weights()
    return len(before) == len(after) and all(_ag_np.array_equal(a, b) for a, b in zip(before, after))


def _ag_noise(n, latent_dim=100, seed=0):
    return _ag_np.random.default_rng(seed).normal(size=(n, latent_dim)).astype("float32")


def _ag_generate(generator, noise):
    """Images from the generator on the checks' noise (n, 100), training=False, as a NumPy array."""
    return _ag_array(generator(noise, training=False))


def _ag_record_steps(generator, discriminator, gan, events):
    """From now on, every train_on_batch of the discriminator and of gan notes which models it changed."""
    for name, model in (("discriminator", discriminator), ("gan", gan)):
        def recording(*args, _name=name, _step=model.train_on_batch, **kwargs):
            g_before, d_before = _ag_weights(generator), _ag_weights(discriminator)
            value = _step(*args, **kwargs)
            events.append({"model": _name, "generator_changed": not _ag_same(g_before, generator),
                           "discriminator_changed": not _ag_same(d_before, discriminator)})
            return value
        model.train_on_batch = recording
'''


@pytest.fixture
def kernel_code(sub):
    """Defines the checks' own helpers in the kernel (the _ag_ names of KERNEL_CODE)."""
    sub.exec(KERNEL_CODE)


@pytest.fixture
def kernel_data(sub, lab_data, kernel_code):
    """Sends the training images to the kernel as _ag_images, float32 (N, 28, 28) in [0, 1]."""
    data = lab_data.mnist()
    sub.call("_ag_store", "_ag_uint8_images", data.train_images)
    sub.exec("_ag_images = _ag_uint8_images.astype('float32') / 255")
    return data


@pytest.fixture
def trained_samples(sub, lab_data, kernel_data):
    """(samples (SAMPLES, 28, 28), REDRAWN more on other noise) after the student's train_gan_keras ran STEPS
    steps from seed 0 on the training images, batches of BATCH_SIZE; made once per kernel (Submission.once), a
    failure included. Training keeps seed 0, which the thresholds were measured with; the noise is the
    submission's own (lab_data.rng), sent as data."""

    def train():
        sub.exec("_ag_G, _ag_D, _ag_gan = _ag_models(0)")
        sub.call(
            "train_gan_keras",
            sub.ref("_ag_G"),
            sub.ref("_ag_D"),
            sub.ref("_ag_gan"),
            sub.ref("_ag_images"),
            STEPS,
            batch_size=BATCH_SIZE,
        )
        noise = lab_data.rng(1234).standard_normal((SAMPLES + REDRAWN, 100), dtype=np.float32)
        return (
            np.asarray(sub.call("_ag_generate", sub.ref("_ag_G"), noise[:SAMPLES])),
            np.asarray(sub.call("_ag_generate", sub.ref("_ag_G"), noise[SAMPLES:])),
        )

    return sub.once("trained_samples", train)


@pytest.fixture
def seen_images(lab_data):
    """uint8 (M, 28, 28): every image of the lab's data, the training images the checks sent and the held-out
    ones: a generator's samples must not be copies of any."""
    data = lab_data.mnist()
    return np.concatenate([data.train_images, data.test_images])


@pytest.fixture
def quality(lab_data):
    """(reference classifier, features of the held-out real digits), loaded once per grader process."""
    return sample_quality.reference_for(lab_data)
