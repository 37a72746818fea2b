"""The autograder's settings (traitlets), read from course_config.py exactly as nbgrader reads its own.

course_config.py holds both nbgrader's settings (``c.CourseDirectory...``) and ours (``c.Autograder...``);
`load_config` reads it once and every stage takes the resulting `Settings`.

Reading it runs it, as root: so it is never searched for from the working directory (a student's folder may
hold one). It is the file named by --config, else by $AUTOGRADER_CONFIG, else the kit's own course_config.py;
and a configuration inside a folder that holds student files is refused. A kit installed without a course of its
own (a student's `pip install`) and told of none has no course: `load_config` then gives `NoCourse`, with which
`autograder check` runs on the kit's defaults and every other use stops with the error that says how to name one.
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from traitlets import Bool, Dict, Enum, Float, Integer, List, TraitError, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

from autograder.course.layout import CourseLayout
from autograder.errors import ConfigError
from autograder.gradescope.results import VISIBILITIES

DEFAULT_CONFIG_NAME = "course_config.py"
CONFIG_VARIABLE = "AUTOGRADER_CONFIG"
KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# What find_config names when there is no course (see NoCourse); load_config never reads it
NO_COURSE_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "no_course_config.py")
# nbgrader's folders of student files (course: submitted, autograded, feedback; its zip collect: downloaded;
# its exchange: inbound, feedback)
STUDENT_FOLDERS = frozenset({"submitted", "autograded", "feedback", "downloaded", "inbound"})


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
        Unicode(),
        ["reference_classifier"],
        help="Folders of data/ that sandboxed kernels never see: the graders' own (the GAN checks' judge). The data "
        "sets' own folders (mnist, MNIST, fashion-mnist, FashionMNIST) are never shown either: a kernel sees the "
        "lab's training part alone.",
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
    cluster = Unicode(
        "",
        help="Where `grade LAB` grades by default: '' (this machine, --workers), 'local:N' (a Dask LocalCluster "
        "of N worker processes) or a Dask scheduler's address such as 'tcp://host:8786'; --cluster overrides.",
    ).tag(config=True)
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
    max_submission_output_bytes = Integer(
        16 * 2**20,
        min=1,
        help="Output one submission may send back in all (every cell and check, over every kernel): past it the "
        "rest of the notebook is left out and later output is refused, so the autograded notebook stays small.",
    ).tag(config=True)
    max_kernel_deaths = Integer(
        3, min=1, help="Kernel deaths in the notebook's cells after which the rest of the notebook is left out."
    ).tag(config=True)
    grader_memory_bytes = Integer(
        4 * 2**30,
        min=0,
        help="Memory of the grader's own process and of each --workers process (RLIMIT_DATA; 0 for none): a "
        "submission that makes the grader exceed it is that submission's failure, not the batch's.",
    ).tag(config=True)
    seed = Integer(0, help="Seed set in random, NumPy, torch and TensorFlow before every check.").tag(config=True)
    secret_file = Unicode(
        "course_secret.txt",
        help="The course secret, relative to the course root: the checks draw each submission's inputs from "
        "HMAC-SHA256(secret, lab and notebook sha256). Made on first use (mode 0600); keep it out of version control.",
    ).tag(config=True)
    run_public_test_cells = Bool(
        False, help="Execute the notebook's public test cells when grading (the hidden checks cover them)."
    ).tag(config=True)
    sandbox = Enum(
        ["bubblewrap", "none"],
        "bubblewrap",
        help="How `grade` confines each kernel: 'bubblewrap' (autograder/sandbox/bubblewrap.py), or 'none' for "
        "notebooks you trust (as `grade --no-sandbox`).",
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
    plots = Bool(
        True,
        help="Show the plots of the grading run in the autograded notebook and the feedback (ipykernel's inline "
        "backend, as in Jupyter: about 0.15 s a figure); False draws them nowhere (matplotlib's Agg), for speed.",
    ).tag(config=True)
    require_gpu = Bool(
        False, help="Refuse to grade without an NVIDIA GPU (set per lab in lab_settings, e.g. for lab5_gan)."
    ).tag(config=True)
    prefer_gpu = Bool(
        False,
        help="On a Dask cluster, send this lab's submissions to workers that offer a GPU (--resources GPU=1) when "
        "there are some, else grade them on the others with the CPU budget (set per lab, e.g. for lab5_gan).",
    ).tag(config=True)
    preload = List(
        Unicode(), help="Modules the kernel imports while it starts, e.g. ['numpy', 'matplotlib.pyplot']."
    ).tag(config=True)
    due_dates = Dict(
        value_trait=Unicode(),
        help="Each lab's due date, e.g. {'lab1_neuron': '2027-01-15 17:00'}: UTC unless it gives an offset "
        "('2027-01-15 17:00+01:00'). `grade` writes it to nbgrader's gradebook, where nbgrader's late-submission "
        "plugin (c.LateSubmissionPlugin.penalty_method) measures lateness from it. A lab left out keeps the due "
        "date the gradebook has (`nbgrader db assignment add LAB --duedate=...`).",
    ).tag(config=True)
    roster = Unicode(
        "roster.csv",
        help="The course's roster, relative to the course root: a CSV with the columns student,lms_id (and name, "
        "email, sis_user_id, sis_login_id, section) mapping the LMS's ids to student ids (course/roster.py). "
        "`import` (where --roster overrides it) and the LMS grade files (`export --format canvas|moodle`) read it.",
    ).tag(config=True)
    lms_timezone = Unicode(
        "UTC",
        help="The time zone of the times in an LMS's archive (a zip keeps local times without a zone), e.g. "
        "'Europe/Berlin': `import` turns them into the UTC timestamps nbgrader's late penalty reads.",
    ).tag(config=True)
    lms_assignment = Unicode(
        "",
        help="The lab's assignment as the LMS names it in its grade files, e.g. Canvas's column 'Lab 1: The "
        "neuron (4711)' (its name and its id); '' names it by the lab's id. Set per lab in lab_settings.",
    ).tag(config=True)
    gradescope_visibility = Dict(
        value_trait=Enum(VISIBILITIES),
        help="In the lab's Gradescope autograder (`autograder gradescope LAB`): when students see each check, by "
        "its function's name or pytest id, 'default' for the others, e.g. {'test_relu_values': 'visible', 'default': "
        "'after_published'} (after_published when not set). Set per lab in lab_settings.",
    ).tag(config=True)
    lab_settings = Dict(help="Per-lab overrides of the settings above, e.g. {'lab5_gan': {'check_timeout': 300}}.").tag(
        config=True
    )


@dataclass(frozen=True)
class Settings:
    """Everything a stage needs: nbgrader's Config, our Autograder settings and the course root."""

    config: Config
    autograder: Autograder
    root: str
    has_course: ClassVar[bool] = True

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    @property
    def layout(self) -> CourseLayout:
        """The course's folders (nbgrader's CourseDirectory settings and the kit's own)."""
        return CourseLayout.from_config(self.root, self.config.CourseDirectory, self.autograder)

    def due_date(self, lab: str) -> datetime | None:
        """The lab's due date from c.Autograder.due_dates, in naive UTC as nbgrader's gradebook keeps times."""
        written = self.autograder.due_dates.get(lab)
        return None if written is None else parse_due_date(written)

    @property
    def course_id(self) -> str:
        return self.config.CourseDirectory.get("course_id", "course")

    @property
    def db_url(self) -> str:
        return self.config.CourseDirectory.get("db_url", "sqlite:///" + self.path("gradebook.db"))


class NoCourse:
    """The course where there is none: a kit installed without a course_config.py of its own (a student's `pip
    install`), told of no other (no --config, no $AUTOGRADER_CONFIG). `autograder check` needs no course (it reads
    the lab from the notebook); any other use raises the ConfigError that says how to name the course's file."""

    has_course = False

    def __init__(self, missing: str):
        self.missing = missing

    def __getattr__(self, name):
        raise ConfigError(self.missing)

    def __repr__(self) -> str:
        return "NoCourse()"


def missing_message(path: str) -> str:
    return (
        f"no {DEFAULT_CONFIG_NAME} at {path}: pass --config PATH or set {CONFIG_VARIABLE} to the course's "
        f"{DEFAULT_CONFIG_NAME} (it is never looked for in the working directory)"
    )


def find_config(explicit: str | None = None) -> str:
    """The course's configuration file: `explicit` (--config), else $AUTOGRADER_CONFIG, else the kit's own
    course_config.py; a folder stands for its course_config.py. Raises ConfigError when it is missing or is a
    file inside a folder that holds student files. Where nothing is named and the kit has no course of its own,
    NO_COURSE_CONFIG (load_config gives NoCourse for it)."""
    named = explicit or os.environ.get(CONFIG_VARIABLE)
    if not named and not os.path.isfile(os.path.join(KIT, DEFAULT_CONFIG_NAME)):
        return NO_COURSE_CONFIG
    path = os.path.abspath(named or os.path.join(KIT, DEFAULT_CONFIG_NAME))
    if os.path.isdir(path):
        path = os.path.join(path, DEFAULT_CONFIG_NAME)
    refuse_student_folder(path)
    if not os.path.isfile(path):
        raise ConfigError(missing_message(path))
    return path


def refuse_student_folder(path: str) -> None:
    """Raise ConfigError if `path`, as named or with its links resolved, lies in a folder of student files."""
    for where in (path, os.path.realpath(path)):
        folders = set(os.path.dirname(where).split(os.sep))
        if folders & STUDENT_FOLDERS:
            raise ConfigError(
                f"refusing the configuration {path}: it is inside a folder of student files "
                f"({', '.join(sorted(folders & STUDENT_FOLDERS))}/), and reading it would run a student's code"
            )


def load_config(path: str | None = None) -> Settings | NoCourse:
    """Read course_config.py: `path`, or as find_config chooses when it is None (NoCourse where there is none).

    The course root is CourseDirectory.root when the file sets it, else the file's folder; nbgrader's db_url is
    made absolute against that root so that every process, whatever its working directory, shares one gradebook.
    """
    path = find_config(path)
    if path == NO_COURSE_CONFIG:
        return NoCourse(missing_message(os.path.join(KIT, DEFAULT_CONFIG_NAME)))
    config = PyFileConfigLoader(os.path.basename(path), os.path.dirname(path)).load_config()
    root = os.path.abspath(os.path.join(os.path.dirname(path), config.CourseDirectory.get("root", ".")))
    config.CourseDirectory.root = root
    db_url = config.CourseDirectory.get("db_url", "sqlite:///gradebook.db")
    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        db_url = "sqlite:///" + os.path.join(root, db_url[len("sqlite:///") :])
    config.CourseDirectory.db_url = db_url
    try:
        autograder = Autograder(config=config)
    except TraitError as error:
        raise ConfigError(f"{path}: {error}") from None
    check_lab_settings(autograder, path)
    check_due_dates(autograder, path)
    check_cluster(autograder, path)
    check_timezone(autograder, path)
    settings = Settings(config=config, autograder=autograder, root=root)
    problems = settings.layout.check()
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return settings


# Settings that hold for the whole course: a lab cannot have its own
COURSE_WIDE = frozenset(
    {
        "labs",
        "lab_settings",
        "due_dates",
        "grading_tests_directory",
        "solutions_directory",
        "data_directory",
        "hidden_data",
        "results_file",
        "workers",
        "cluster",
        "secret_file",
        "sandbox_user",
        "roster",
        "lms_timezone",
    }
)


def check_lab_settings(autograder: Autograder, path: str) -> None:
    """Raise ConfigError naming every lab_settings entry that is not a lab of the course, not a per-lab setting,
    or not a valid value for it: a misspelt override would otherwise be silently ignored."""
    traits = autograder.traits(config=True)
    per_lab = sorted(set(traits) - COURSE_WIDE)
    problems = []
    for lab, overrides in autograder.lab_settings.items():
        if lab not in autograder.labs:
            problems.append(f"{lab!r} is not one of c.Autograder.labs ({', '.join(autograder.labs)})")
            continue
        if not isinstance(overrides, dict):
            problems.append(f"{lab!r}: expected a dict of settings, got {type(overrides).__name__}")
            continue
        for name, value in overrides.items():
            if name not in traits or name in COURSE_WIDE:
                problems.append(f"{lab}: unknown setting {name!r}")
                continue
            try:
                traits[name].validate(autograder, value)
            except TraitError as error:
                problems.append(f"{lab}: {name}: {str(error).splitlines()[0]}")
    if problems:
        raise ConfigError(
            f"{path}: c.Autograder.lab_settings: " + "; ".join(problems) + f" (a lab may set: {', '.join(per_lab)})"
        )


def check_cluster(autograder: Autograder, path: str) -> None:
    """Raise ConfigError when c.Autograder.cluster is neither '', 'local:N' nor a scheduler's address."""
    from autograder.errors import UsageError
    from autograder.grading.cluster import parse_cluster

    if autograder.cluster:
        try:
            parse_cluster(autograder.cluster)
        except UsageError as error:
            raise ConfigError(f"{path}: c.Autograder.cluster: {error}") from None


def check_timezone(autograder: Autograder, path: str) -> None:
    """Raise ConfigError when c.Autograder.lms_timezone is not a time zone this machine knows."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(autograder.lms_timezone)
    except (ValueError, KeyError, OSError):
        raise ConfigError(
            f"{path}: c.Autograder.lms_timezone: {autograder.lms_timezone!r} is not a time zone (e.g. 'UTC', "
            "'Europe/Berlin', 'America/New_York')"
        ) from None


def parse_due_date(written: str) -> datetime:
    """'2027-01-15 17:00' (UTC) or with an offset, as naive UTC; raises ValueError for anything else."""
    when = datetime.fromisoformat(written.strip())
    return when if when.tzinfo is None else when.astimezone(UTC).replace(tzinfo=None)


def check_due_dates(autograder: Autograder, path: str) -> None:
    """Raise ConfigError naming every due date of an unknown lab or that is not a date."""
    problems = []
    for lab, written in autograder.due_dates.items():
        if lab not in autograder.labs:
            problems.append(f"{lab!r} is not one of c.Autograder.labs ({', '.join(autograder.labs)})")
            continue
        try:
            parse_due_date(written)
        except ValueError:
            problems.append(f"{lab}: {written!r} is not a date such as '2027-01-15 17:00' or '2027-01-15T17:00+01:00'")
    if problems:
        raise ConfigError(f"{path}: c.Autograder.due_dates: " + "; ".join(problems))
