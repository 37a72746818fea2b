"""The autograder's settings (traitlets), read from course_config.py exactly as nbgrader reads its own.

course_config.py holds both nbgrader's settings (``c.CourseDirectory...``) and ours (``c.Autograder...``);
`load_config` reads it once and every stage takes the resulting `Settings`.
"""
import os
from dataclasses import dataclass

from traitlets import Bool, Dict, Float, Integer, List, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

DEFAULT_CONFIG_NAME = "course_config.py"


class Autograder(Configurable):
    """How submissions are executed and checked. Times are seconds, sizes bytes."""

    labs = List(Unicode(), help="The labs of the course, in teaching order.").tag(config=True)
    grading_tests_directory = Unicode("grading_tests", help="Hidden checks, relative to the course root.").tag(
        config=True
    )
    solutions_directory = Unicode("solutions", help="Executed answer keys, relative to the course root.").tag(
        config=True
    )
    data_directory = Unicode(
        "data", help="Offline data the labs read, relative to the course root; kernels see it read-only as data/."
    ).tag(config=True)
    hidden_data = List(
        Unicode(), ["reference_classifier"],
        help="Folders of data/ that sandboxed kernels never see: the graders' own (the GAN checks' judge).",
    ).tag(config=True)
    dataset = Unicode(
        "mnist", help="The image data set of the MNIST-based labs: 'mnist' or 'fashion-mnist' (see mnist_data.py)."
    ).tag(config=True)
    results_file = Unicode("results.json", help="Name of a submission's results in autograded/<student>/<lab>/.").tag(
        config=True
    )
    workers = Integer(1, help="Submissions graded at once by `grade LAB` (worker processes); --workers overrides.").tag(
        config=True
    )
    kernel_start_timeout = Float(60.0, help="Seconds for a kernel to answer after it starts.").tag(config=True)
    cell_timeout = Float(30.0, help="Wall-clock seconds for one notebook cell.").tag(config=True)
    check_timeout = Float(20.0, help="Wall-clock seconds for one check, unless its time_limit marker says more.").tag(
        config=True
    )
    submission_timeout = Float(900.0, help="Wall-clock seconds for one whole submission.").tag(config=True)
    interrupt_grace = Float(2.0, help="Seconds an interrupted kernel gets to stop before it is killed.").tag(
        config=True
    )
    max_notebook_bytes = Integer(100 * 2**20, help="Larger submissions are refused unread.").tag(config=True)
    max_output_bytes = Integer(2 * 2**20, help="Output one execution may send back before it is stopped.").tag(
        config=True
    )
    max_value_bytes = Integer(64 * 2**20, help="Size of one value a check may receive from the kernel.").tag(
        config=True
    )
    seed = Integer(0, help="Seed set in random, NumPy, torch and TensorFlow before every check.").tag(config=True)
    run_public_test_cells = Bool(
        False, help="Execute the notebook's public test cells when grading (the hidden checks cover them)."
    ).tag(config=True)
    sandbox_user = Unicode("agsandbox", help="Unprivileged user the sandboxed kernels run as.").tag(config=True)
    memory_bytes = Integer(2 * 2**30, help="Memory of a kernel and all it starts (a cgroup; else per process).").tag(
        config=True
    )
    cpu_seconds = Integer(3600, help="CPU seconds of the kernel process (RLIMIT_CPU).").tag(config=True)
    max_processes = Integer(256, help="Processes and threads of a kernel and all it starts.").tag(config=True)
    max_file_bytes = Integer(256 * 2**20, help="Largest file the kernel may write (RLIMIT_FSIZE).").tag(config=True)
    max_open_files = Integer(1024, help="Open files of a kernel process (RLIMIT_NOFILE).").tag(config=True)
    scratch_bytes = Integer(512 * 2**20, help="Size of the kernel's home and of its /tmp (tmpfs).").tag(config=True)
    require_gpu = Bool(
        False, help="Refuse to grade without an NVIDIA GPU (set per lab in lab_settings, e.g. for lab5_gan)."
    ).tag(config=True)
    preload = List(
        Unicode(), help="Modules the kernel imports while it starts, e.g. ['numpy', 'matplotlib.pyplot']."
    ).tag(config=True)
    lab_settings = Dict(
        help="Per-lab overrides of the settings above, e.g. {'lab5_gan': {'check_timeout': 300}}."
    ).tag(config=True)


@dataclass(frozen=True)
class Settings:
    """Everything a stage needs: nbgrader's Config, our Autograder settings and the course root."""

    config: Config
    autograder: Autograder
    root: str

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def for_lab(self, lab: str, name: str):
        """The value of setting `name` for `lab`, with lab_settings overriding the course-wide value."""
        return self.autograder.lab_settings.get(lab, {}).get(name, getattr(self.autograder, name))

    @property
    def course_id(self) -> str:
        return self.config.CourseDirectory.get("course_id", "course")

    @property
    def db_url(self) -> str:
        return self.config.CourseDirectory.get("db_url", "sqlite:///" + self.path("gradebook.db"))


def find_config(start: str = ".") -> str:
    """The course_config.py in `start` or its nearest parent; raises FileNotFoundError."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, DEFAULT_CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            raise FileNotFoundError(f"no {DEFAULT_CONFIG_NAME} in {os.path.abspath(start)} or its parents")
        folder = parent


def load_config(path: str | None = None) -> Settings:
    """Read course_config.py (found from the working directory when `path` is None).

    The course root is CourseDirectory.root when the file sets it, else the file's folder; nbgrader's db_url is
    made absolute against that root so that every process, whatever its working directory, shares one gradebook.
    """
    path = os.path.abspath(path or find_config())
    config = PyFileConfigLoader(os.path.basename(path), os.path.dirname(path)).load_config()
    root = os.path.abspath(os.path.join(os.path.dirname(path), config.CourseDirectory.get("root", ".")))
    config.CourseDirectory.root = root
    db_url = config.CourseDirectory.get("db_url", "sqlite:///gradebook.db")
    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        db_url = "sqlite:///" + os.path.join(root, db_url[len("sqlite:///") :])
    config.CourseDirectory.db_url = db_url
    return Settings(config=config, autograder=Autograder(config=config), root=root)


@dataclass(frozen=True)
class Limits:
    """What one submission may use; seconds and bytes."""

    kernel_start_timeout: float
    cell_timeout: float
    check_timeout: float
    submission_timeout: float
    interrupt_grace: float
    max_output_bytes: int
    max_value_bytes: int
    seed: int

    @classmethod
    def for_lab(cls, settings: Settings, lab: str) -> "Limits":
        return cls(**{name: settings.for_lab(lab, name) for name in cls.__dataclass_fields__})
