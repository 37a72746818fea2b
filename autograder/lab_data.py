"""The `lab_data` fixture of the checks: a lab's data, read on the grader's side, never taken from the kernel.

A check that trains or scores the student's model sends the images to the kernel itself and keeps the labels
it scores against: what the kernel's own copy of the data helper returns could have been changed by the
notebook. The grader reads the data with the released copy of the lab's helper (release/<lab>/mnist_data.py),
from the course's data folder, with the data set course_config.py chose for the lab.
"""
import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class LabData:
    release_dir: str
    data_dir: str | None
    dataset: str

    @property
    def device(self) -> str:
        """Where the checks train: "cuda" when the grader has a GPU (the sandbox then shows it to the kernel)."""
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def mnist(self):
        """The lab's image data as mnist_data.Split: uint8 images (N, 28, 28) and int64 labels (N,) per part."""
        helper = os.path.join(self.release_dir, "mnist_data.py")
        return _load_split(helper, os.path.getmtime(helper), self.data_dir, self.dataset)


@lru_cache(maxsize=2)
def _load_split(helper: str, mtime: float, data_dir: str | None, dataset: str):
    spec = importlib.util.spec_from_file_location("_released_mnist_data", helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_arrays(dataset, root=data_dir, download=False)
