"""Example submissions of lab5_gan_keras: the answer key, the untouched stub, the lecture's Keras 2 code and
typical Keras GAN bugs.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all
the others. The edits are made on the answer key's cells models, build_gan and train_gan_keras. Whether a bug
also costs the sample checks was measured: bench/lab5_keras_quality.py --variant NAME gives the measures of the
bug's 3,000-step training run (the checks use seed 0; see docs/labs.md).
"""

from autograder.demo.examples import Variant

SAMPLE_CHECKS = (
    "test_samples_are_recognisable_digits",
    "test_samples_cover_the_digits",
    "test_samples_are_close_to_real_digits",
)
ALL_CHECKS = {
    "test_generator_maps_noise_to_images",
    "test_generator_output_is_in_zero_one",
    "test_discriminator_outputs_probabilities",
    "test_discriminator_is_compiled_with_binary_cross_entropy",
    "test_gan_is_the_discriminator_on_the_generator",
    "test_gan_step_trains_the_generator_only",
    "test_gan_loss_is_the_non_saturating_bce",
    "test_train_gan_keras_returns_a_loss_per_step",
    "test_both_models_learn_in_train_gan_keras",
    "test_generator_steps_leave_the_discriminator_alone",
    "test_generate_keras_returns_new_images",
    *SAMPLE_CHECKS,
}

# The lecture's combined model: the discriminator is frozen before the gan is built and never unfrozen.
LECTURE_BUILD_GAN = '''
def build_gan(generator, discriminator):
    """The combined model, as the lecture builds it."""
    discriminator.trainable = False
    z = keras.Input((generator.input_shape[-1],))
    gan = keras.Model(z, discriminator(generator(z)))
    gan.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss="binary_crossentropy")
    return gan
'''.strip()

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "bruno",
        "the lecture's Keras 2 freeze: discriminator.trainable = False before building the gan, never switched back",
        cells={"build_gan": LECTURE_BUILD_GAN},
        loses={
            "test_both_models_learn_in_train_gan_keras": "wrong answer",
            **{name: "wrong answer" for name in SAMPLE_CHECKS},
        },
    ),
    Variant(
        "diego",
        "the lecture's build_gan with the flag switched in the training loop, as Keras 2 tutorials do: correct",
        cells={"build_gan": LECTURE_BUILD_GAN},
        edits={
            "train_gan_keras": [
                ("        d_losses.append(", "        discriminator.trainable = True\n        d_losses.append("),
                ("        g_losses.append(", "        discriminator.trainable = False\n        g_losses.append("),
            ]
        },
    ),
    Variant(
        "carla",
        "the discriminator is never frozen: the gan's step trains it to call fakes real",
        edits={
            "build_gan": [
                (
                    "        self.discriminator.trainable = False     # on the first call, Keras builds the gan's step without D's weights\n",
                    "",
                ),
            ]
        },
        loses={
            "test_gan_step_trains_the_generator_only": "wrong answer",
            "test_generator_steps_leave_the_discriminator_alone": "wrong answer",
            **{name: "wrong answer" for name in SAMPLE_CHECKS},
        },
    ),
    Variant(
        "emma",
        "the generator ends with tanh, as in the PyTorch lab: its images are in [-1, 1], the data in [0, 1]",
        edits={
            "models": [
                (
                    'layers.Dense(28 * 28, activation="sigmoid", bias_initializer=keras.initializers.Constant(-2.0))',
                    'layers.Dense(28 * 28, activation="tanh")',
                ),
            ]
        },
        # under the tests' secret its samples keep 5 digits at 2 % or more (8 at 74 %), below the bar of 7; the public
        # self-check's classifier finds all 10, so emma is left out of the self-check parity test
        loses={
            "test_generator_output_is_in_zero_one": "wrong answer",
            "test_generate_keras_returns_new_images": "wrong answer",
            **{name: "wrong answer" for name in SAMPLE_CHECKS},
        },
    ),
    Variant(
        "felix",
        "the lecture's channel axis on the real images, (B, 28, 28, 1), beside fakes (B, 28, 28), in two calls",
        edits={
            "train_gan_keras": [
                (
                    "        real = images[np.random.randint(0, len(images), batch_size)]  ",
                    "        real = images[np.random.randint(0, len(images), batch_size)].reshape(-1, 28, 28, 1)  ",
                ),
                (
                    "        d_losses.append(float(discriminator.train_on_batch(np.concatenate([real, fake]), labels_d)))",
                    "        d_real = discriminator.train_on_batch(real, labels_d[:batch_size])\n"
                    "        d_fake = discriminator.train_on_batch(fake, labels_d[batch_size:])\n"
                    "        d_losses.append(0.5 * (float(d_real) + float(d_fake)))",
                ),
            ]
        },
        loses={
            "test_train_gan_keras_returns_a_loss_per_step": "error",
            "test_both_models_learn_in_train_gan_keras": "error",
            "test_generator_steps_leave_the_discriminator_alone": "error",
            **{name: "error" for name in SAMPLE_CHECKS},
        },
    ),
    Variant(
        "gina",
        "generate_keras returns pixel values 0-255, as the lecture's save_img line multiplies them",
        edits={
            "train_gan_keras": [
                (
                    "    return keras.ops.convert_to_numpy(generator(noise, training=False))",
                    "    return keras.ops.convert_to_numpy(generator(noise, training=False)) * 255",
                ),
            ]
        },
        loses={"test_generate_keras_returns_new_images": "wrong answer"},
    ),
    Variant(
        "hugo",
        "the discriminator's labels swapped: real images labelled 0, fakes 1",
        edits={
            "train_gan_keras": [
                (
                    "np.concatenate([np.ones((batch_size, 1)), np.zeros((batch_size, 1))])",
                    "np.concatenate([np.zeros((batch_size, 1)), np.ones((batch_size, 1))])",
                ),
            ]
        },
        loses={name: "wrong answer" for name in SAMPLE_CHECKS},
    ),
    Variant(
        "marta",
        "a generator that memorises: it hands back a training image picked by its noise, nudged by a network that learns",
        edits={
            "models": [
                (
                    "    return keras.Sequential([\n        keras.Input((latent_dim,)),",
                    "    class Recall(layers.Layer):  # a training image picked by the noise, a thousandth of the network's own\n"
                    "        def __init__(self, digits):\n"
                    "            super().__init__()\n"
                    "            self.digits = keras.ops.convert_to_tensor(digits)\n"
                    "\n"
                    "        def call(self, inputs):\n"
                    "            z, drawn = inputs\n"
                    '            index = keras.ops.cast(keras.ops.abs(z[:, 0]) * 1e6, "int32") % self.digits.shape[0]\n'
                    "            return 0.999 * keras.ops.take(self.digits, index, axis=0) + 0.001 * drawn\n"
                    "\n"
                    "    body = keras.Sequential([\n        keras.Input((latent_dim,)),",
                ),
                (
                    '    ], name="generator")',
                    '    ])\n    z = keras.Input((latent_dim,))\n    return keras.Model(z, Recall(images)([z, body(z)]), name="generator")',
                ),
            ]
        },
        loses={name: "wrong answer" for name in SAMPLE_CHECKS},
    ),
    Variant(
        "nadia",
        "the lecture's own networks (128 units in each hidden layer), correctly frozen, with the lab's optimizer settings",
        # allowed by the lab's text; seeds 0-9: IS 4.48-4.85, coverage 8-10, Fréchet 223-273 (bar 350; see docs/labs.md)
        edits={"models": [("layers.Dense(512),", "layers.Dense(128),"), ("layers.Dense(256),", "layers.Dense(128),")]},
    ),
    Variant(
        "zoe",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
]
