"""How far are a GAN's samples from the images it was trained on? Where the memorisation guard's bar comes from.

For each seed s, the protocol of bench/lab5_quality.py (the answer key's train_gan, STEPS steps, 2,000 samples
drawn in eval mode on the checks' noise), then the RMS pixel distance of each sample to its nearest image among
every image a grading kernel could have been handed (the training and the held-out part,
sample_quality.nearest_distances). For comparison: the held-out digits' distances to the training digits (real
digits that are not copies), and the answer key's samples from two noise draws (how much they differ).

    .venv/bin/python bench/lab5_memorisation.py [--seeds 0 1 2] [--steps 3000]
"""

import argparse
import os
import sys

import numpy as np
import torch

from autograder.checks import sample_quality
from autograder.checks.lab_data import LabData
from autograder.course.config import load_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab5_quality import IMPORTS, samples, train  # noqa: E402
from solution_code import KIT, notebook_code  # noqa: E402

QUANTILES = (0.0, 0.001, 0.01, 0.05, 0.5)


def trained_samples(code, split, seed, steps, noise_seeds) -> list:
    G, _ = train(code, split, seed, steps)
    return [samples(G, noise_seed) for noise_seed in noise_seeds]


def describe(distances) -> str:
    return " ".join(f"q{q:g} {np.quantile(distances, q):.3f}" for q in QUANTILES)


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    options.add_argument("--steps", type=int, default=3000)
    args = options.parse_args(argv)
    torch.set_num_threads(1)
    settings = load_config(os.path.join(KIT, "course_config.py"))
    split = LabData(settings.path("release", "lab5_gan"), settings.path("data"), "mnist").mnist()
    seen = np.concatenate([split.train_images, split.test_images])
    held_out = sample_quality.to_model_range(split.test_images)
    print(
        "held-out digits to the training digits:",
        describe(sample_quality.nearest_distances(held_out, split.train_images)),
    )
    code = notebook_code(settings, "lab5_gan", IMPORTS)
    for seed in args.seeds:
        first, second = trained_samples(code, split, seed, args.steps, (1234, 4321))
        pairs = (first - second).flatten(1).pow(2).mean(dim=1).sqrt().numpy()
        print(
            f"seed {seed}: samples to every image seen: {describe(sample_quality.nearest_distances(first, seen))}; "
            f"two noise draws apart: {describe(pairs)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
