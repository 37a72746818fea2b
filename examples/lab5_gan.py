"""Example submissions of lab5_gan: the answer key, the untouched stub and typical GAN bugs.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all
the others. The edits are made on the answer key's cells models, losses and train_step. Whether a bug also
costs the sample checks was measured: bench/lab5_quality.py --variant NAME gives the measures of the bug's
3,000-step training run (the checks use seed 0; see docs/labs.md).
"""

from autograder.demo.examples import Variant

SAMPLE_CHECKS = (
    "test_samples_are_recognisable_digits",
    "test_samples_cover_the_digits",
    "test_samples_are_close_to_real_digits",
)
ALL_CHECKS = {
    "test_generator_maps_noise_to_images",
    "test_generator_output_spans_minus_one_to_one",
    "test_discriminator_outputs_probabilities",
    "test_discriminator_loss_is_the_sum_of_two_mean_bces",
    "test_generator_loss_is_non_saturating",
    "test_train_step_returns_the_two_losses",
    "test_train_step_steps_the_discriminator_then_the_generator",
    "test_discriminator_step_leaves_the_generator_alone",
    "test_generator_step_leaves_the_discriminator_alone",
    "test_train_gan_returns_a_loss_per_step",
    "test_generate_makes_images_on_the_device",
    "test_training_runs_on_the_graders_device",
    *SAMPLE_CHECKS,
}

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "bianca",
        "the discriminator's step does not detach the fakes (the generator's step makes new ones)",
        edits={
            "train_step": [
                ("D(fake_images.detach()))", "D(fake_images))"),
                (
                    "g_loss = generator_loss(D(fake_images))",
                    "g_loss = generator_loss(D(G(torch.randn(batch_size, LATENT_DIM, device=device))))",
                ),
            ]
        },
        loses={"test_discriminator_step_leaves_the_generator_alone": "wrong answer"},
    ),
    Variant(
        "carlos",
        "the generator ends with a Sigmoid: its images are in [0, 1], the data in [-1, 1]",
        edits={"models": [("nn.Tanh(),  # pixels in [-1, 1]", "nn.Sigmoid(),")]},
        loses={
            "test_generator_output_spans_minus_one_to_one": "wrong answer",
            **{name: "wrong answer" for name in SAMPLE_CHECKS},
        },
    ),
    Variant(
        "dana",
        "the saturating generator loss: it minimises mean log(1 - D(G(z)))",
        edits={
            "losses": [
                (
                    "    return nn.functional.binary_cross_entropy(fake_scores, torch.ones_like(fake_scores))",
                    "    return torch.log(1 - fake_scores).mean()",
                ),
            ]
        },
        loses={"test_generator_loss_is_non_saturating": "wrong answer"},
    ),
    Variant(
        "felix",
        "the generator's step also steps the discriminator's optimizer (the discriminator is not frozen)",
        edits={"train_step": [("    g_opt.step()\n", "    g_opt.step()\n    d_opt.step()\n")]},
        loses={
            "test_train_step_steps_the_discriminator_then_the_generator": "wrong answer",
            "test_generator_step_leaves_the_discriminator_alone": "wrong answer",
        },
    ),
    Variant(
        "gwen",
        "the generator returns flat images (B, 784): it forgot to reshape them to (B, 1, 28, 28)",
        edits={"models": [("        return self.net(z).view(-1, 1, 28, 28)", "        return self.net(z)")]},
        loses={
            "test_generator_maps_noise_to_images": "wrong answer",
            "test_generate_makes_images_on_the_device": "wrong answer",
        },
    ),
    Variant(
        "marta",
        "a GAN that memorises: train_gan trains nothing and the generator hands back real training digits, picked by its noise",
        edits={
            "models": [
                (
                    "        return self.net(z).view(-1, 1, 28, 28)",
                    "        digits = train_set.images.to(z.device) * 2 - 1  # the training digits, in [-1, 1]\n"
                    "        return digits[(z[:, 0].abs() * 1e6).long() % len(digits)]",
                )
            ],
            "train_gan": [
                (
                    "        d_loss, g_loss = train_step(G, D, g_opt, d_opt, images * 2 - 1, device)",
                    "        d_loss, g_loss = 0.69, 0.69  # no training at all",
                )
            ],
        },
        loses={name: "wrong answer" for name in SAMPLE_CHECKS},
    ),
    Variant(
        "paula",
        "train_gan hands the real images to train_step in [0, 1], not rescaled to the generator's [-1, 1]",
        edits={
            "train_gan": [
                (
                    "train_step(G, D, g_opt, d_opt, images * 2 - 1, device)",
                    "train_step(G, D, g_opt, d_opt, images, device)",
                )
            ]
        },
        loses={name: "wrong answer" for name in SAMPLE_CHECKS},
    ),
    Variant(
        "zoe",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
]
