"""The `lab_data` fixture of the checks: a lab's data, read on the grader's side, never taken from the kernel.

A check that trains or scores the student's model sends the images to the kernel itself and keeps the labels
it scores against: what the kernel's own copy of the data helper returns could have been changed by the
notebook. The grader reads the data with the released copy of the lab's helper (release/<lab>/mnist_data.py),
from the course's data folder, with the data set course_config.py chose for the lab.

A sandboxed kernel sees the training part alone: `training_folder` writes it once per grader process, in the
layout the helper reads first (mnist_data.TRAINING_ONLY), and the sandbox shows that folder in the kernel's data/
instead of the data sets' own files, whose held-out images and labels stay the grader's.
"""

import atexit
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache

from autograder.course.config import Settings

IDX_MAGIC = {3: 2051, 1: 2049}  # images (N, 28, 28), labels (N,): the IDX format's magic number per rank


@dataclass(frozen=True)
class LabData:
    release_dir: str
    data_dir: str | None
    dataset: str
    check_seed: int = 0  # the submission's (check_seed.for_submission): the checks' random inputs come from it

    def rng(self, stream: int):
        """A NumPy Generator for the check's random inputs: one stream per number, all drawn from the
        submission's seed, so that another notebook gets other inputs and a regrade the same ones."""
        import numpy as np

        return np.random.default_rng([self.check_seed, stream])

    @property
    def device(self) -> str:
        """Where the checks train: "cuda" when the grader has a GPU (the sandbox then shows it to the kernel)."""
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    @classmethod
    def for_lab(cls, settings: Settings, lab: str) -> "LabData":
        """The data of the lab named `lab`, as course_config.py describes it (released or not)."""
        from autograder.course.labs import resolve_lab

        resolved = resolve_lab(settings, lab)
        return cls(resolved.release_dir, resolved.data_dir, resolved.dataset)

    @property
    def helper(self) -> str:
        """The released data helper; a lab without one reads no image data."""
        return os.path.join(self.release_dir, "mnist_data.py")

    def mnist(self):
        """The lab's image data as mnist_data.Split: uint8 images (N, 28, 28) and int64 labels (N,) per part."""
        return _load_split(self.helper, os.path.getmtime(self.helper), self.data_dir, self.dataset)

    def training_folder(self) -> tuple[str, str] | None:
        """(name in the kernel's data/, folder on this machine) of the training part alone, as IDX files that
        the sandbox user can read; None for a lab without the data helper."""
        if not os.path.isfile(self.helper):
            return None
        return _training_folder(self.helper, os.path.getmtime(self.helper), self.data_dir, self.dataset)


def _released_helper(helper: str):
    spec = importlib.util.spec_from_file_location("_released_mnist_data", helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=2)
def _load_split(helper: str, mtime: float, data_dir: str | None, dataset: str):
    return _released_helper(helper).load_arrays(dataset, root=data_dir, download=False)


@lru_cache(maxsize=2)
def _training_folder(helper: str, mtime: float, data_dir: str | None, dataset: str) -> tuple[str, str]:
    split = _load_split(helper, mtime, data_dir, dataset)
    name = _released_helper(helper).TRAINING_ONLY.format(dataset=dataset)
    parent = tempfile.mkdtemp(prefix="autograder-training-")
    atexit.register(shutil.rmtree, parent, True)
    folder = os.path.join(parent, name)
    os.mkdir(folder)
    write_idx(os.path.join(folder, "train-images-idx3-ubyte"), split.train_images)
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte"), split.train_labels)
    for path in (parent, folder):
        os.chmod(path, 0o755)
    return name, folder


def write_idx(path: str, array) -> None:
    """Write an array of values 0..255, (N, 28, 28) or (N,), as an uncompressed uint8 IDX file, readable by
    everyone (mode 0644)."""
    import numpy as np  # here: grading a lab without image data never imports it for this module

    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = IDX_MAGIC[array.ndim].to_bytes(4, "big") + b"".join(size.to_bytes(4, "big") for size in array.shape)
    with open(path, "wb") as handle:
        handle.write(header + array.tobytes())
    os.chmod(path, 0o644)
