"""One lab of the course, resolved once from the configuration: where its parts are and what it may use.

Every setting a lab may override in `c.Autograder.lab_settings` is read here and nowhere else: the stages
after this one take a `Lab` (or the plain records it holds: `Limits`, `SandboxLimits`) and never read the
configuration themselves.
"""

import os
from dataclasses import dataclass

from autograder.course.config import Settings
from autograder.errors import UsageError
from autograder.kernel.limits import Limits
from autograder.kernel.pool import KernelPool
from autograder.sandbox.bubblewrap import SandboxLimits
from autograder.sandbox.devices import has_gpu

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # what ipykernel sets when nothing else is set


@dataclass(frozen=True)
class Lab:
    name: str
    release_notebook: str  # release/<lab>/<lab>.ipynb: the student version, the locked cells' reference
    tests_dir: str  # grading_tests/<lab>/: the hidden checks
    files: tuple[str, ...]  # what else release/<lab>/ holds: copied into the kernel's working folder
    data_dir: str | None  # the course's data folder: the kernel sees it, read-only, as data/
    limits: Limits
    sandbox_limits: SandboxLimits
    preload: tuple[str, ...]  # modules the kernel imports while it boots
    dataset: str  # the image data set of the MNIST-based labs
    require_gpu: bool
    prefer_gpu: bool  # on a Dask cluster: graded by a worker that offers a GPU when there is one
    sandbox: str  # how its kernels are confined: "bubblewrap" or "none"
    grader_memory_bytes: int  # RLIMIT_DATA of the grading process (0: none)
    plots: bool  # the kernel draws plots as outputs (ipykernel's inline backend) or nowhere (Agg)

    @property
    def notebook_name(self) -> str:
        return os.path.splitext(os.path.basename(self.release_notebook))[0]

    @property
    def release_dir(self) -> str:
        return os.path.dirname(self.release_notebook)

    @property
    def environment(self) -> dict[str, str]:
        """What the lab's kernel learns from course_config.py: the data set its data helper loads; that it runs
        for the grader (COURSE_GRADING), so that a lab's self-check cell does not train its model again; and, with
        `plots`, ipykernel's inline backend, so that its plots are outputs of the run."""
        plots = {"MPLBACKEND": INLINE_BACKEND} if self.plots else {}
        return {"COURSE_DATASET": self.dataset, "COURSE_GRADING": "1", **plots}

    def kernel_pool(self, launcher, ahead: int = 0) -> KernelPool:
        """Kernels for this lab's submissions, `ahead` of them launched before they are needed."""
        return KernelPool(launcher, self.limits, self.files, self.preload, ahead, self.data_dir)


def setting(settings: Settings, lab: str | None, name: str):
    """The value of setting `name` for `lab` (None: the course-wide value); lab_settings override it."""
    return settings.autograder.lab_settings.get(lab, {}).get(name, getattr(settings.autograder, name))


def resolve_lab(settings: Settings, name: str | None) -> Lab:
    """The lab `name` as the configuration describes it, released or not (None: a notebook of no known lab,
    with the course-wide settings)."""

    def value(setting_name):
        return setting(settings, name, setting_name)

    layout = settings.layout
    release_dir = layout.release_dir(name or "")
    notebook = layout.release_notebook(name or "")
    files = tuple(
        os.path.join(release_dir, entry)
        for entry in (sorted(os.listdir(release_dir)) if name and os.path.isdir(release_dir) else ())
        if entry != f"{name}.ipynb" and not entry.startswith(".")
    )
    return Lab(
        name=name or "",
        release_notebook=notebook,
        tests_dir=layout.tests_dir(name or ""),
        files=files,
        data_dir=data_folder(settings),
        limits=Limits(**{field: value(field) for field in Limits.__dataclass_fields__}),
        sandbox_limits=SandboxLimits(**{field: value(field) for field in SandboxLimits.__dataclass_fields__}),
        preload=tuple(value("preload")),
        dataset=value("dataset"),
        require_gpu=value("require_gpu"),
        prefer_gpu=value("prefer_gpu"),
        sandbox=value("sandbox"),
        grader_memory_bytes=value("grader_memory_bytes"),
        plots=value("plots"),
    )


def find_lab(settings: Settings, name: str, on_cluster: bool = False) -> Lab:
    """The lab to grade; raises UsageError for an unknown or unreleased lab, or one this machine cannot grade
    (`on_cluster`: the cluster's workers grade it, and grading/cluster.py checks they can)."""
    if name not in settings.autograder.labs:
        raise UsageError(f"unknown lab {name!r}; the course has: {', '.join(settings.autograder.labs)}")
    lab = resolve_lab(settings, name)
    if lab.require_gpu and not on_cluster and not has_gpu():
        raise UsageError(
            f"{name} is to be graded on a GPU (require_gpu in course_config.py) and this machine has none: "
            "grade it on a machine with an NVIDIA GPU, or set require_gpu to False to grade with the CPU budget"
        )
    if not os.path.isfile(lab.release_notebook):
        raise UsageError(f"{lab.release_notebook} does not exist: run `autograder release {name}` first")
    return lab


def data_folder(settings: Settings) -> str | None:
    """The course's data folder, if it has one."""
    path = settings.layout.data_dir
    return path if os.path.isdir(path) else None
