"""What lab6_dcgan_cgan's training runs give, over many seeds: where the sample checks' thresholds come from.

For each seed s, the protocol of grading_tests/lab6_dcgan_cgan/conftest.py (which uses seed 0), run in this
process on one thread with the code of the answer key, or of an example submission (--variant STUDENT, from
examples/lab6_dcgan_cgan.py):
  DCGAN: torch.manual_seed(s); train_dcgan(DCGenerator(), DCDiscriminator(), the training images in shuffled
         batches of 64 (seed s), DCGAN_STEPS, "cpu", seed=s); 2,000 samples in eval mode; lab5's measures;
  CGAN:  the same with CondGenerator, CondDiscriminator and train_cgan for CGAN_STEPS; 2,000 samples asked for
         the digits 0..9 in turn; the conditional measures (sample_quality.assess_conditional).
The measures are against the 2,000 held-out digits; min / median / max over the seeds come last.

    .venv/bin/python bench/lab6_quality.py [--seeds 0 1 2] [--dcgan-steps 1000] [--cgan-steps 2000] [--variant STUDENT]
                                           [--device cuda]
"""

import argparse
import importlib.util
import os
import sys
import time

import numpy as np
import torch

from autograder.checks import sample_quality
from autograder.checks.lab_data import LabData
from autograder.course.config import load_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solution_code import KIT, notebook_code  # noqa: E402

LAB = "lab6_dcgan_cgan"
IMPORTS = "import numpy as np\nimport torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"


def grading_steps() -> tuple[int, int]:
    """(DCGAN_STEPS, CGAN_STEPS) of the lab's checks."""
    spec = importlib.util.spec_from_file_location(
        "lab6_conftest", os.path.join(KIT, "grading_tests", LAB, "conftest.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DCGAN_STEPS, module.CGAN_STEPS


def train(code, split, seed, steps, networks, train_function, device):
    """(the generator that `train_function` trained for `steps` steps with `seed` on `device`, in eval mode, moved
    back to the CPU; seconds, the device synchronised)."""
    images = torch.from_numpy(np.array(split.train_images)).float().div(255).unsqueeze(1)
    dataset = torch.utils.data.TensorDataset(images, torch.from_numpy(split.train_labels).long())
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=64, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(seed)
    )
    torch.manual_seed(seed)
    G, D = (code[name]() for name in networks)
    started = time.perf_counter()
    code[train_function](G, D, loader, steps, device, seed=seed)
    if device == "cuda":
        torch.cuda.synchronize()
    return G.eval().cpu(), time.perf_counter() - started


def dcgan_run(code, split, seed, steps, classifier, real_features, device) -> dict:
    G, seconds = train(code, split, seed, steps, ("DCGenerator", "DCDiscriminator"), "train_dcgan", device)
    with torch.no_grad():
        samples = G(torch.randn(2000, 100, generator=torch.Generator().manual_seed(1234))).clamp(-1, 1)
    return {**sample_quality.assess(samples, classifier, real_features), "seconds": seconds}


def cgan_run(code, split, seed, steps, classifier, real_features, device) -> dict:
    G, seconds = train(code, split, seed, steps, ("CondGenerator", "CondDiscriminator"), "train_cgan", device)
    asked = torch.arange(2000) % 10
    with torch.no_grad():
        samples = G(torch.randn(2000, 100, generator=torch.Generator().manual_seed(1234)), asked).clamp(-1, 1)
    report = sample_quality.assess_conditional(samples, asked.numpy(), classifier, real_features, split.test_labels)
    return {**report, "seconds": seconds}


def spread(reports: list[dict], key, pick=lambda value: value) -> str:
    values = [pick(report[key]) for report in reports]
    return f"{min(values):.3f} / {np.median(values):.3f} / {max(values):.3f}"


def main(argv=None) -> int:
    dcgan_steps, cgan_steps = grading_steps()
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    options.add_argument("--dcgan-steps", type=int, default=dcgan_steps, help="0 skips the DCGAN")
    options.add_argument("--cgan-steps", type=int, default=cgan_steps, help="0 skips the CGAN")
    options.add_argument("--variant", help=f"an example student of examples/{LAB}.py instead of the answer key")
    options.add_argument("--device", default="cpu", help="cuda: the answer key's time on a GPU (the same steps)")
    args = options.parse_args(argv)
    torch.set_num_threads(1)
    settings = load_config(os.path.join(KIT, "course_config.py"))
    split = LabData(settings.path("release", LAB), settings.path("data"), "mnist").mnist()
    classifier = sample_quality.load_reference_classifier()
    real_features = sample_quality.digit_features(split.test_images, classifier)
    code = notebook_code(settings, LAB, IMPORTS, args.variant, given=("endless",))
    print(
        f"{args.variant or 'answer key'}, DCGAN {args.dcgan_steps} steps, CGAN {args.cgan_steps} steps, {split.description}"
    )
    dcgan, cgan = [], []
    for seed in args.seeds:
        line = f"seed {seed}:"
        if args.dcgan_steps:
            r = dcgan_run(code, split, seed, args.dcgan_steps, classifier, real_features, args.device)
            dcgan.append(r)
            line += (
                f" DCGAN confidence {r['mean_confidence']:.3f} IS {r['inception_score']:.2f} coverage "
                f"{r['class_coverage']} Frechet {r['frechet_distance']:.1f} ({r['seconds']:.0f} s) |"
            )
        if args.cgan_steps:
            r = cgan_run(code, split, seed, args.cgan_steps, classifier, real_features, args.device)
            cgan.append(r)
            line += (
                f" CGAN asked {r['conditional_accuracy']:.3f} worst digit {min(r['digit_accuracies']):.3f} digits >= 0.3 "
                f"{sample_quality.digits_drawn(r, 0.3)} Frechet "
                f"{r['frechet_distance']:.1f} within the digits {np.mean(r['class_frechet_distances']):.1f} (worst {max(r['class_frechet_distances']):.1f}) ({r['seconds']:.0f} s)"
            )
        print(line, flush=True)
    print("min / median / max:")
    if dcgan:
        print(
            f"  DCGAN confidence {spread(dcgan, 'mean_confidence')}, IS {spread(dcgan, 'inception_score')}, coverage "
            f"{spread(dcgan, 'class_coverage')}, Frechet {spread(dcgan, 'frechet_distance')}"
        )
    if cgan:
        print(
            f"  CGAN asked {spread(cgan, 'conditional_accuracy')}, worst digit {spread(cgan, 'digit_accuracies', min)}, "
            f"digits >= 0.3 {spread(cgan, 'digit_accuracies', lambda shares: sum(share >= 0.3 for share in shares))}, "
            f"Frechet {spread(cgan, 'frechet_distance')}, within the digits {spread(cgan, 'class_frechet_distances', np.mean)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
