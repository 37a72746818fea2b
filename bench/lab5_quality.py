"""What lab5_gan's training run gives, over many seeds: where the sample checks' thresholds come from.

For each seed s: torch.manual_seed(s); G, D = Generator(), Discriminator(); train_gan(G, D, the training images
in shuffled batches of 64 (seed s), STEPS, "cpu", seed=s); 2,000 samples drawn in eval mode; the measures of
autograder/checks/sample_quality.py against the held-out digits. This is the protocol of
grading_tests/lab5_gan/conftest.py (which uses seed 0), run in this process on one thread with the code of the
answer key, or of an example submission (--variant STUDENT, from examples/lab5_gan.py). After the bar, each line gives what the students' self-check
(source/lab5_gan/sample_check.py, its public classifier) measures on the same samples: where its bars come from.

    .venv/bin/python bench/lab5_quality.py [--seeds 0 1 2] [--steps 3000] [--variant STUDENT]
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

from autograder.checks import sample_quality
from autograder.checks.lab_data import LabData
from autograder.course.config import load_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solution_code import KIT, notebook_code, public_line, sample_check  # noqa: E402

IMPORTS = "import numpy as np\nimport torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"


def train(code, split, seed, steps):
    """(the generator `code` trains for `steps` steps on the training split with `seed`, in eval mode; seconds)."""
    images = torch.from_numpy(np.array(split.train_images)).float().div(255).unsqueeze(1)
    dataset = torch.utils.data.TensorDataset(images, torch.from_numpy(split.train_labels))
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=64, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(seed)
    )
    torch.manual_seed(seed)
    G, D = code["Generator"](), code["Discriminator"]()
    started = time.perf_counter()
    code["train_gan"](G, D, loader, steps, "cpu", seed=seed)
    seconds = time.perf_counter() - started
    return G.eval(), seconds


def samples(G, noise_seed, count=2000):
    """(count, 1, 28, 28) images in [-1, 1] that G draws from the noise of `noise_seed`."""
    with torch.no_grad():
        noise = torch.randn(count, 100, generator=torch.Generator().manual_seed(noise_seed))
        return G(noise).reshape(count, 1, 28, 28).clamp(-1, 1)


def run(code, split, seed, steps, classifier, real_features) -> tuple[dict, "sample_check.Report"]:
    """The reference classifier's measures of one run's samples (with its seconds), and the public self-check's."""
    G, seconds = train(code, split, seed, steps)
    drawn = samples(G, 1234)
    report = sample_quality.assess(drawn, classifier, real_features)
    report["seconds"] = seconds
    public = sample_check.judge((drawn[:, 0].numpy() + 1) / 2, split.test_images, "lab5_gan", seen=split.train_images)
    return report, public


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    options.add_argument("--steps", type=int, default=3000)
    options.add_argument("--variant", help="an example student of examples/lab5_gan.py instead of the answer key")
    args = options.parse_args(argv)
    torch.set_num_threads(1)
    settings = load_config(os.path.join(KIT, "course_config.py"))
    split = LabData(settings.path("release", "lab5_gan"), settings.path("data"), "mnist").mnist()
    classifier = sample_quality.load_reference_classifier()
    real_features = sample_quality.digit_features(split.test_images, classifier)
    code = notebook_code(settings, "lab5_gan", IMPORTS, args.variant)
    print(f"{args.variant or 'answer key'}, {args.steps} steps, {split.description}")
    for seed in args.seeds:
        r, public = run(code, split, seed, args.steps, classifier, real_features)
        print(
            f"seed {seed}: confidence {r['mean_confidence']:.3f} IS {r['inception_score']:.2f} coverage {r['class_coverage']} "
            f"Frechet {r['frechet_distance']:.1f}  ({r['seconds']:.0f} s)  |  {public_line(public)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
