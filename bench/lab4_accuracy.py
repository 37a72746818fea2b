"""The held-out accuracy that lab4's fit reaches, over many seeds: where the checks' thresholds come from.

For each seed s: torch.manual_seed(s); model = MLP() (and CNN()); fit(model, the training split in batches of
64 shuffled with seed s, 2 epochs, lr 1e-3, "cpu"); accuracy on the held-out images. This is the protocol of
grading_tests/lab4_mnist/test_fit.py (which uses seed 0), run in this process on one thread with the code of
the answer key, or of an example submission (--variant STUDENT, from examples/lab4_mnist.py).

    .venv/bin/python bench/lab4_accuracy.py [--seeds 20] [--dataset mnist|fashion-mnist] [--variant STUDENT]
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

from autograder.checks.lab_data import LabData
from autograder.course.config import load_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solution_code import KIT, notebook_code  # noqa: E402

LAB = "lab4_mnist"
IMPORTS = "import numpy as np\nimport torch\nfrom torch import nn\nfrom torch.utils.data import DataLoader\n"


def run(code: dict, split, model_name: str, seed: int) -> tuple[float, float]:
    """(held-out accuracy, seconds) of one fit, as test_fit does it."""
    images = torch.from_numpy(np.array(split.train_images)).float().div(255).unsqueeze(1)
    dataset = torch.utils.data.TensorDataset(images, torch.from_numpy(split.train_labels))
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    torch.manual_seed(seed)
    model = code[model_name]()
    started = time.perf_counter()
    code["fit"](model, loader, 2, 1e-3, "cpu")
    seconds = time.perf_counter() - started
    model.eval()
    with torch.no_grad():
        scores = model(torch.from_numpy(np.array(split.test_images)).float().div(255).unsqueeze(1))
    return float((scores.argmax(dim=1).numpy() == split.test_labels).mean()), seconds


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seeds", type=int, default=20)
    options.add_argument("--dataset", default="mnist")
    options.add_argument("--variant", help="an example student of examples/lab4_mnist.py instead of the answer key")
    options.add_argument("--models", nargs="+", default=["MLP", "CNN"])
    args = options.parse_args(argv)
    torch.set_num_threads(1)
    settings = load_config(os.path.join(KIT, "course_config.py"))
    split = LabData(settings.path("release", LAB), settings.path("data"), args.dataset).mnist()
    print(split.description)
    code = notebook_code(settings, LAB, IMPORTS, args.variant)
    for name in args.models:
        runs = [run(code, split, name, seed) for seed in range(args.seeds)]
        accuracies = np.array([accuracy for accuracy, _ in runs])
        print(
            f"{name}: held-out accuracy over seeds 0..{args.seeds - 1}: min {accuracies.min():.4f} "
            f"median {np.median(accuracies):.4f} max {accuracies.max():.4f} (seed 0: {accuracies[0]:.4f}); "
            f"fit takes {np.median([s for _, s in runs]):.1f} s"
        )
        print("  " + " ".join(f"{a:.4f}" for a in accuracies))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
