"""What lab5_gan_keras's training run gives, over many seeds: where its sample checks' thresholds come from.

For each seed s: keras.utils.set_random_seed(s); G = build_generator(100), D = build_discriminator(),
gan = build_gan(G, D); train_gan_keras(G, D, gan, the training images as float32 (N, 28, 28) in [0, 1], STEPS,
batch_size=128); 2,000 samples G(noise, training=False); the measures of autograder/checks/sample_quality.py against
the held-out digits. This is the protocol of grading_tests/lab5_gan_keras/conftest.py (which uses seed 0), with
the code of the answer key or of an example submission (--variant STUDENT, from examples/lab5_gan_keras.py).

As in grading, TensorFlow and torch never share a process: each training run is a child process of this script
(TensorFlow, with a grading kernel's environment: one thread) that writes its samples to a file; this process scores them with the reference
classifier (torch).

    .venv/bin/python bench/lab5_keras_quality.py [--seeds 0 1 2] [--steps 3000] [--variant STUDENT]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solution_code import KIT, notebook_code, public_line, sample_check  # noqa: E402

from autograder.kernel.provisioner import KERNEL_ENVIRONMENT  # noqa: E402

LAB = "lab5_gan_keras"
IMPORTS = (
    "import os\nos.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')\nos.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '0')\n"
    "import numpy as np\nimport keras\nfrom keras import layers\nimport tensorflow as tf\n"
)


def train_and_sample(seed: int, steps: int, variant: str | None, target: str) -> None:
    """In a child process: one training run of the answer key (or variant); samples (2000, 28, 28) to `target`."""
    from autograder.checks.lab_data import LabData
    from autograder.course.config import load_config

    settings = load_config(os.path.join(KIT, "course_config.py"))
    split = LabData(settings.path("release", LAB), settings.path("data"), "mnist").mnist()
    code = notebook_code(settings, LAB, IMPORTS, variant)
    keras = code["keras"]
    keras.utils.set_random_seed(seed)
    generator = code["build_generator"](100)
    discriminator = code["build_discriminator"]()
    gan = code["build_gan"](generator, discriminator)
    started = time.perf_counter()
    code["train_gan_keras"](
        generator, discriminator, gan, split.train_images.astype("float32") / 255, steps, batch_size=128
    )
    seconds = time.perf_counter() - started
    noise = np.random.default_rng(1234).normal(size=(2000, 100)).astype("float32")
    samples = keras.ops.convert_to_numpy(generator(noise, training=False))
    np.savez(target, samples=samples, seconds=seconds)


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    options.add_argument("--steps", type=int, default=3000)
    options.add_argument("--variant", help="an example student of examples/lab5_gan_keras.py instead of the answer key")
    options.add_argument("--samples-to", help=argparse.SUPPRESS)  # the child's mode: train one seed, write samples
    args = options.parse_args(argv)
    if args.samples_to:
        train_and_sample(args.seeds[0], args.steps, args.variant, args.samples_to)
        return 0

    import torch

    from autograder.checks import sample_quality
    from autograder.checks.lab_data import LabData
    from autograder.course.config import load_config

    torch.set_num_threads(1)
    settings = load_config(os.path.join(KIT, "course_config.py"))
    split = LabData(settings.path("release", LAB), settings.path("data"), "mnist").mnist()
    classifier = sample_quality.load_reference_classifier()
    real_features = sample_quality.digit_features(split.test_images, classifier)
    print(f"{args.variant or 'answer key'}, {args.steps} steps, {split.description}")
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as folder:
            target = os.path.join(folder, "samples.npz")
            child = [sys.executable, __file__, "--seeds", str(seed), "--steps", str(args.steps), "--samples-to", target]
            env = dict(
                os.environ, **KERNEL_ENVIRONMENT, MPLBACKEND="Agg", PYTHONPATH=KIT
            )  # a grading kernel's threads and switches
            subprocess.run(child + (["--variant", args.variant] if args.variant else []), check=True, env=env)
            with np.load(target) as run:
                samples, seconds = run["samples"], float(run["seconds"])
        images = torch.from_numpy(np.clip(samples, 0, 1)).float().mul(2).sub(1).reshape(-1, 1, 28, 28)
        r = sample_quality.assess(images, classifier, real_features)
        public = sample_check.judge(np.clip(samples, 0, 1), split.test_images, LAB, seen=split.train_images)
        print(
            f"seed {seed}: confidence {r['mean_confidence']:.3f} IS {r['inception_score']:.2f} coverage {r['class_coverage']} "
            f"Frechet {r['frechet_distance']:.1f}  ({seconds:.0f} s)  |  {public_line(public)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
