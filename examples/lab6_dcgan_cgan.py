"""Example submissions of lab6_dcgan_cgan: the answer key, the untouched stub and typical bugs of convolutional
and conditional GANs.

`loses` lists every check the submission must fail (by test function name) with its reason; it keeps all the
others. The edits are made on the answer key's cells dcgan_models, train_dcgan, cgan_models and train_cgan.
Whether a bug also costs the sample checks was measured: bench/lab6_quality.py --variant NAME gives the measures
of the bug's training runs (the checks use seed 0; see docs/labs.md).
"""

from autograder.demo.examples import Variant

DCGAN_TRAINING = (
    "test_train_dcgan_returns_a_loss_per_step",
    "test_train_dcgan_steps_the_discriminator_on_detached_fakes_then_the_generator",
    "test_dcgan_training_runs_on_the_graders_device",
    "test_dcgan_samples_are_recognisable_digits",
    "test_dcgan_samples_cover_the_digits",
    "test_dcgan_samples_are_close_to_real_digits",
)
CGAN_LABEL_CHECKS = ("test_cgan_draws_the_asked_digits", "test_cgan_draws_most_digits_as_asked")
ALL_CHECKS = {
    "test_dcgenerator_maps_noise_to_images_in_minus_one_to_one",
    "test_dcgenerator_uses_transposed_convolutions_and_batchnorm",
    "test_dcdiscriminator_outputs_probabilities",
    "test_dcdiscriminator_downsamples_with_strided_convolutions",
    "test_discriminator_loss_is_the_sum_of_two_mean_bces",
    "test_generator_loss_is_non_saturating",
    *DCGAN_TRAINING,
    "test_cond_generator_maps_noise_and_labels_to_images",
    "test_cond_generator_image_depends_on_the_label",
    "test_cond_discriminator_outputs_probabilities",
    "test_cond_discriminator_score_depends_on_the_label",
    "test_train_cgan_returns_a_loss_per_step",
    "test_train_cgan_steps_the_discriminator_on_detached_fakes_then_the_generator",
    "test_generate_digits_draws_one_image_per_label_in_eval_mode",
    "test_cgan_training_runs_on_the_graders_device",
    *CGAN_LABEL_CHECKS,
    "test_cgan_samples_are_close_to_real_digits",
}

VARIANTS = [
    Variant("alice", "the answer key, as a student would hand it in"),
    Variant(
        "bruno",
        "the DCGAN generator starts from 8x8 feature maps: two transposed convolutions make 32x32 images",
        edits={
            "dcgan_models": [
                ("nn.Linear(LATENT_DIM, 32 * 7 * 7, bias=False),", "nn.Linear(LATENT_DIM, 32 * 8 * 8, bias=False),"),
                ("nn.BatchNorm1d(32 * 7 * 7),", "nn.BatchNorm1d(32 * 8 * 8),"),
                ("self.project(z).view(-1, 32, 7, 7)", "self.project(z).view(-1, 32, 8, 8)"),
            ]
        },
        loses={
            "test_dcgenerator_maps_noise_to_images_in_minus_one_to_one": "wrong answer",
            **{name: "error" for name in DCGAN_TRAINING},
        },
    ),
    Variant(
        "carmen",
        "the conditional generator ignores its label: it draws good digits, but not the ones asked for",
        edits={
            "cgan_models": [
                (
                    "codes = torch.cat([z, self.embed(labels)], dim=1)",
                    "codes = torch.cat([z, torch.zeros(len(z), 10, device=z.device)], dim=1)  # the label unused",
                )
            ]
        },
        loses={
            "test_cond_generator_image_depends_on_the_label": "wrong answer",
            **{name: "wrong answer" for name in CGAN_LABEL_CHECKS},
        },
    ),
    Variant(
        "dmitri",
        "the conditional discriminator is not given the label: it judges images alone, so nothing asks G for a digit",
        edits={
            "cgan_models": [
                (
                    "return self.net(torch.cat([images, maps], dim=1))",
                    "return self.net(torch.cat([images, torch.zeros_like(images)], dim=1))  # the label map unused",
                )
            ]
        },
        loses={
            "test_cond_discriminator_score_depends_on_the_label": "wrong answer",
            **{name: "wrong answer" for name in CGAN_LABEL_CHECKS},
        },
    ),
    Variant(
        "emil",
        "generate_digits leaves G in training mode: BatchNorm normalises each image with its batch's statistics",
        edits={"train_cgan": [("    was_training = G.training\n    G.eval()\n", "    was_training = G.training\n")]},
        loses={"test_generate_digits_draws_one_image_per_label_in_eval_mode": "wrong answer"},
    ),
    Variant(
        "fatima",
        "train_dcgan's discriminator step does not detach the fakes (the generator's step makes new ones)",
        edits={
            "train_dcgan": [
                ("D(fakes.detach()))", "D(fakes))"),
                (
                    "g_loss = generator_loss(D(fakes))",
                    "g_loss = generator_loss(D(G(torch.randn(len(real), LATENT_DIM, device=device))))",
                ),
            ]
        },
        loses={"test_train_dcgan_steps_the_discriminator_on_detached_fakes_then_the_generator": "wrong answer"},
    ),
    Variant(
        "hana",
        "an allowed design: a projection discriminator (the label's embedding times the image's features)",
        edits={
            "cgan_models": [
                (
                    "self.label_maps = nn.Embedding(N_CLASSES, 28 * 28)  # each digit's learned 28x28 picture: a second channel",
                    "self.label_vectors = nn.Embedding(N_CLASSES, 32 * 7 * 7)  # one vector per digit, for the projection",
                ),
                (
                    "nn.Conv2d(2, 16, kernel_size=4, stride=2, padding=1),  # image and label map -> 14x14",
                    "nn.Conv2d(1, 16, kernel_size=4, stride=2, padding=1),  # the image alone -> 14x14",
                ),
                (
                    "            nn.Flatten(),\n            nn.Linear(32 * 7 * 7, 1),\n            nn.Sigmoid(),\n        )\n",
                    "            nn.Flatten(),\n        )\n        self.score = nn.Linear(32 * 7 * 7, 1)\n",
                ),
                (
                    "        maps = self.label_maps(labels).view(-1, 1, 28, 28)\n"
                    "        return self.net(torch.cat([images, maps], dim=1))",
                    "        features = self.net(images)\n"
                    "        projection = (self.label_vectors(labels) * features).sum(dim=1, keepdim=True)\n"
                    "        return torch.sigmoid(self.score(features) + projection)",
                ),
            ]
        },
    ),
    Variant(
        "zoe",
        "the released stub, handed in untouched",
        base="release",
        loses={name: "not attempted" for name in ALL_CHECKS},
    ),
]
