"""Calibrate the sample-quality measures: what real digits, broken generators and a reference GAN score.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/calibrate_sample_quality.py --seeds 10 --steps 1000,2000,3000

Prints a Markdown table (min / mean / max over seeds of each measure of autograder/checks/sample_quality.py) for:
real training digits against the held-out ones; two halves of the held-out digits; an untrained generator;
uniform noise; real digits of only 1, 2 or 5 classes (mode collapse); and a lecture-style MLP GAN trained for each
step budget in --steps, from each seed (one run per seed, measured at every budget on the way). --variants adds
GANs with common bugs. Every generated set has SAMPLES images, judged against the held-out digits' features.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [KIT, os.path.join(KIT, "source", "lab4_mnist")]

import mnist_data  # noqa: E402

from autograder.checks.sample_quality import assess, digit_features, load_reference_classifier, to_model_range  # noqa: E402

LATENT_DIM = 100
BATCH_SIZE = 64
SAMPLES = 2000
# Seeds the latent codes of the judged samples apart from training's random stream, so that measuring at a
# budget on the way leaves the rest of the run as it would have been.
SAMPLING_SEED = 10_000


class Generator(nn.Module):
    """The lecture's MLP generator: z (B, 100) -> images (B, 1, 28, 28) in [-1, 1]."""

    def __init__(self):
        super().__init__()
        layers, width = [], LATENT_DIM
        for out in (256, 512, 1024):
            layers += [nn.Linear(width, out), nn.LeakyReLU(0.2), nn.BatchNorm1d(out)]
            width = out
        self.net = nn.Sequential(*layers, nn.Linear(width, 28 * 28), nn.Tanh())

    def forward(self, z):
        return self.net(z).view(-1, 1, 28, 28)


class Discriminator(nn.Module):
    """The lecture's MLP discriminator: images (B, 1, 28, 28) -> probabilities (B, 1) of being real."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28, 512),
            nn.LeakyReLU(0.2),
            nn.Linear(512, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, 1),
            nn.Sigmoid(),
        )

    def forward(self, images):
        return self.net(images)


@torch.no_grad()
def generate(G, n, seed):
    """n images (n, 1, 28, 28) from G in eval mode (BatchNorm's running statistics), as a lab's generate() would."""
    was_training = G.training
    G.eval()
    images = G(torch.randn(n, LATENT_DIM, generator=torch.Generator().manual_seed(SAMPLING_SEED + seed)))
    G.train(was_training)
    return images


def batches(images, generator):
    """Endless mini-batches of real images, reshuffled every epoch."""
    while True:
        order = torch.randperm(len(images), generator=generator)
        for start in range(0, len(images) - BATCH_SIZE + 1, BATCH_SIZE):
            yield images[order[start : start + BATCH_SIZE]]


def train_gan(images, seed, budgets, variant):
    """Train a GAN from `seed` on images (N, 1, 28, 28) in [-1, 1]; yields (budget, training seconds, G) as the
    run reaches each step budget.

    variant "reference": the non-saturating G loss, fakes detached in the D step. "saturating": G minimises
    log(1 - D(G(z))). "no-detach": the D step back-propagates into G too and G's gradients are zeroed only at the
    start of a step, so the D step's gradient leaks into G's update.
    """
    torch.manual_seed(seed)
    G, D = Generator(), Discriminator()
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.functional.binary_cross_entropy
    ones, zeros = torch.ones(BATCH_SIZE, 1), torch.zeros(BATCH_SIZE, 1)
    real_batches = batches(images, torch.Generator().manual_seed(seed))
    seconds = 0.0
    for step in range(1, max(budgets) + 1):
        started = time.perf_counter()
        fake = G(torch.randn(BATCH_SIZE, LATENT_DIM))
        g_opt.zero_grad()
        d_opt.zero_grad()
        d_fake = fake if variant == "no-detach" else fake.detach()
        d_loss = bce(D(next(real_batches)), ones) + bce(D(d_fake), zeros)
        d_loss.backward(retain_graph=variant == "no-detach")
        d_opt.step()
        scores = D(fake)
        g_loss = -bce(scores, zeros) if variant == "saturating" else bce(scores, ones)
        g_loss.backward()
        g_opt.step()
        seconds += time.perf_counter() - started
        if step in budgets:
            yield step, seconds, G


def summary(name, results, seconds=None):
    """One Markdown table row: min / mean / max over the runs of each measure."""

    def spread(key, form):
        values = [result[key] for result in results]
        return " / ".join(form.format(v) for v in (min(values), np.mean(values), max(values)))

    time_cell = f"{np.mean(seconds):.0f} ({min(seconds):.0f}-{max(seconds):.0f})" if seconds else ""
    return (
        f"| {name} | {len(results)} | {spread('mean_confidence', '{:.3f}')} | "
        f"{spread('class_coverage', '{:.0f}')} | {spread('frechet_distance', '{:.1f}')} | "
        f"{spread('inception_score', '{:.2f}')} | {time_cell} |"
    )


def baselines(split, classifier, real_features, seeds):
    """Table rows for real digits, untrained generators, noise and mode-collapsed real digits."""
    train_images, held_out = to_model_range(split.train_images), to_model_range(split.test_images)
    rows = {
        "real: training digits vs held-out": [],
        "real: held-out half vs other half": [],
        "untrained generator": [],
        "uniform noise in [-1, 1]": [],
    }
    collapsed = {k: [] for k in (1, 2, 5)}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        rows["real: training digits vs held-out"].append(
            assess(train_images[rng.choice(len(train_images), SAMPLES, replace=False)], classifier, real_features)
        )
        halves = rng.permutation(len(held_out))
        half = len(halves) // 2
        rows["real: held-out half vs other half"].append(
            assess(held_out[halves[:half]], classifier, real_features[halves[half:]])
        )
        torch.manual_seed(seed)
        rows["untrained generator"].append(assess(generate(Generator(), SAMPLES, seed), classifier, real_features))
        noise = torch.rand(SAMPLES, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1
        rows["uniform noise in [-1, 1]"].append(assess(noise, classifier, real_features))
        for k in collapsed:
            digits = rng.choice(10, k, replace=False)
            pool = np.flatnonzero(np.isin(split.train_labels, digits))
            # Drawn with replacement: one digit has fewer than SAMPLES training images.
            collapsed[k].append(assess(train_images[rng.choice(pool, SAMPLES)], classifier, real_features))
    names = {1: "real digits of 1 class (random)", 2: "real digits of 2 classes", 5: "real digits of 5 classes"}
    rows.update({names[k]: results for k, results in collapsed.items()})
    return [summary(name, results) for name, results in rows.items()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..SEEDS-1 (default 10)")
    parser.add_argument("--steps", default="1000,2000,3000", help="GAN step budgets, comma-separated")
    parser.add_argument(
        "--variants", default="reference", help="GANs to train, comma-separated among reference, saturating, no-detach"
    )
    parser.add_argument("--no-baselines", action="store_true", help="only the GAN rows")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds, budgets = range(args.seeds), sorted(int(s) for s in args.steps.split(","))

    split = mnist_data.load_arrays(root=os.environ.get("COURSE_DATA", os.path.join(KIT, "data")), download=False)
    classifier = load_reference_classifier()
    real_features = digit_features(split.test_images, classifier)
    print(
        f"Data: {split.description}. {SAMPLES} samples per set; Fréchet distance to the "
        f"{len(split.test_images)} held-out digits' features (the half rows: to the other half).",
        flush=True,
    )
    rows = [] if args.no_baselines else baselines(split, classifier, real_features, seeds)

    images = to_model_range(split.train_images)
    for variant in args.variants.split(","):
        runs = {budget: ([], []) for budget in budgets}
        for seed in seeds:
            for budget, seconds, G in train_gan(images, seed, budgets, variant):
                result = assess(generate(G, SAMPLES, seed), classifier, real_features)
                runs[budget][0].append(result)
                runs[budget][1].append(seconds)
                histogram = " ".join(f"{share:.2f}" for share in result["class_histogram"])
                print(
                    f"{variant} seed {seed} steps {budget}: {seconds:.0f} s, confidence "
                    f"{result['mean_confidence']:.3f}, coverage {result['class_coverage']}, Fréchet "
                    f"{result['frechet_distance']:.1f}, IS {result['inception_score']:.2f}, classes {histogram}",
                    flush=True,
                )
        rows += [summary(f"GAN {variant}, {budget} steps", *runs[budget]) for budget in budgets]

    print(
        "\n| set | runs | mean confidence (min / mean / max) | class coverage (min / mean / max) | "
        "Fréchet distance (min / mean / max) | Inception Score (min / mean / max) | training s (range) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
