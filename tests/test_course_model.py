"""The course model: course_config.py validated when it loads, one Lab resolved from it, the course's folders
where nbgrader's own settings put them, and one error tree mapped to exit codes."""

import os

import pytest
from nbgrader.coursedir import CourseDirectory

from autograder.cli import main
from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import INLINE_BACKEND, find_lab, resolve_lab
from autograder.course.layout import NBGRADER_DEFAULTS
from autograder.course.release import release_lab
from autograder.demo.course import make_course
from autograder.demo.examples import load_variants, write_variant
from autograder.errors import (
    EXIT_GRADER,
    EXIT_USAGE,
    ConfigError,
    GraderError,
    ReleaseError,
    SandboxUnavailable,
    SubmissionRejected,
    UsageError,
)
from autograder.kernel.provisioner import KernelProvisioner
from autograder.outputs.gradebook import open_gradebook
from autograder.sandbox.backend import make_launcher

LAB = "lab1_neuron"


def course_with(folder: str, *lines: str):
    """A course folder whose course_config.py is the kit's with `lines` appended; returns the config's path."""
    make_course(folder, {})
    config = os.path.join(folder, "course_config.py")
    with open(config, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return config


def test_a_misspelt_lab_setting_is_an_error_that_names_it(tmp_path):
    config = course_with(str(tmp_path / "course"), "c.Autograder.lab_settings = {'lab1_neuron': {'cell_timout': 5}}")
    with pytest.raises(ConfigError, match="lab1_neuron: unknown setting 'cell_timout'"):
        load_config(config)


def test_lab_settings_for_a_lab_the_course_does_not_have_are_an_error(tmp_path):
    config = course_with(str(tmp_path / "course"), "c.Autograder.lab_settings = {'lab9': {'cell_timeout': 5}}")
    with pytest.raises(ConfigError, match="'lab9' is not one of c.Autograder.labs"):
        load_config(config)


def test_a_lab_setting_of_the_wrong_type_is_an_error(tmp_path):
    config = course_with(
        str(tmp_path / "course"), "c.Autograder.lab_settings = {'lab1_neuron': {'cell_timeout': 'long'}}"
    )
    with pytest.raises(ConfigError, match="lab1_neuron: cell_timeout"):
        load_config(config)


def test_a_cluster_that_is_neither_local_n_nor_a_schedulers_address_is_an_error(tmp_path):
    config = course_with(str(tmp_path / "course"), "c.Autograder.cluster = 'my-laptop:8786'")
    with pytest.raises(ConfigError, match="c.Autograder.cluster: .*local:N"):
        load_config(config)
    config = course_with(str(tmp_path / "ok"), "c.Autograder.cluster = 'tcp://10.0.0.1:8786'")
    assert load_config(config).autograder.cluster == "tcp://10.0.0.1:8786"


def test_prefer_gpu_is_a_per_lab_setting(tmp_path):
    config = course_with(str(tmp_path / "course"), "c.Autograder.lab_settings = {'lab1_neuron': {'prefer_gpu': True}}")
    assert resolve_lab(load_config(config), LAB).prefer_gpu is True


def test_a_course_wide_setting_cannot_be_set_per_lab(tmp_path):
    config = course_with(
        str(tmp_path / "course"), "c.Autograder.lab_settings = {'lab1_neuron': {'sandbox_user': 'root'}}"
    )
    with pytest.raises(ConfigError, match="unknown setting 'sandbox_user'"):
        load_config(config)


def test_the_command_line_exits_2_on_a_configuration_error_and_says_what_is_wrong(tmp_path, capsys):
    config = course_with(str(tmp_path / "course"), "c.Autograder.lab_settings = {'lab1_neuron': {'preloads': []}}")
    assert main(["--config", config, "export"]) == EXIT_USAGE, "a configuration error is the user's to fix: exit 2"
    assert "unknown setting 'preloads'" in capsys.readouterr().err, "the message names the misspelt setting"


def test_the_lab_is_resolved_once_with_its_overrides(settings):
    lab = resolve_lab(settings, LAB)
    overrides = settings.autograder.lab_settings[LAB]
    assert (
        lab.limits.cell_timeout == overrides["cell_timeout"] and lab.limits.check_timeout == overrides["check_timeout"]
    )
    assert lab.preload == tuple(overrides["preload"]), "the lab's preload list comes from lab_settings"
    assert lab.limits.submission_timeout == settings.autograder.submission_timeout, (
        "what it does not override is the course's"
    )
    assert lab.plots is overrides["plots"] is False, "lab1's plots are off in the kit's course_config.py"
    assert lab.environment == {"COURSE_DATASET": lab.dataset, "COURSE_GRADING": "1"}, "so no backend is set"
    assert resolve_lab(settings, "lab3_backprop").environment["MPLBACKEND"] == INLINE_BACKEND, (
        "a lab with plots (the default) draws them with ipykernel's inline backend"
    )


def test_every_kit_error_has_one_exit_code_by_its_branch():
    for error in (ConfigError, ReleaseError, SubmissionRejected):
        assert issubclass(error, UsageError) and error("x").exit_code == EXIT_USAGE, f"{error.__name__} exits 2"
    assert issubclass(SandboxUnavailable, GraderError) and SandboxUnavailable("x").exit_code == EXIT_GRADER


def test_the_kits_default_folders_are_nbgraders():
    nbgrader = CourseDirectory()
    assert {name: getattr(nbgrader, name) for name in NBGRADER_DEFAULTS} == NBGRADER_DEFAULTS


@pytest.mark.parametrize("student", ["alice", "al[i]ce", "{student_id}", "a b"])
def test_the_kits_paths_are_nbgraders_format_path(settings, student):
    nbgrader = CourseDirectory(config=settings.config)
    layout = settings.layout
    assert layout.submitted_dir(student, LAB) == nbgrader.format_path(nbgrader.submitted_directory, student, LAB)
    assert layout.autograded_dir(student, LAB) == nbgrader.format_path(nbgrader.autograded_directory, student, LAB)
    assert layout.release_dir(LAB) == os.path.normpath(nbgrader.format_path(nbgrader.release_directory, ".", LAB))


def test_a_directory_structure_the_kit_cannot_list_is_refused(tmp_path):
    config = course_with(
        str(tmp_path / "course"),
        "c.CourseDirectory.directory_structure = '{assignment_id}/{student_id}/{nbgrader_step}'",
    )
    with pytest.raises(ConfigError, match="directory_structure"):
        load_config(config)


def test_renamed_nbgrader_folders_are_where_the_kit_reads_and_writes(tmp_path):
    """An instructor who renames nbgrader's folders gets a kit that grades from and writes to the renamed ones."""
    config = course_with(
        str(tmp_path / "course"),
        "c.CourseDirectory.submitted_directory = 'handed_in'",
        "c.CourseDirectory.autograded_directory = 'graded'",
        "c.CourseDirectory.feedback_directory = 'returned'",
    )
    settings = load_config(config)
    release_lab(settings, LAB)
    answer_key = next(variant for variant in load_variants(settings, LAB) if variant.student == "alice")
    nbgrader = CourseDirectory(config=settings.config)
    submitted = nbgrader.format_path(nbgrader.submitted_directory, "alice", LAB)
    write_variant(settings, LAB, answer_key, os.path.join(submitted, LAB + ".ipynb"))
    lab = find_lab(settings, LAB)

    graded = grade_all(settings, lab, make_launcher(settings, lab), progress=False)

    assert graded["alice"].score == graded["alice"].max_score == 22, (
        f"the answer key scores 22: {graded['alice'].output}"
    )
    assert os.path.isfile(
        os.path.join(nbgrader.format_path(nbgrader.autograded_directory, "alice", LAB), "results.json")
    )
    assert os.path.isfile(os.path.join(nbgrader.format_path(nbgrader.feedback_directory, "alice", LAB), LAB + ".html"))
    assert not os.path.exists(os.path.join(settings.root, "autograded")), "nothing is written to the default folders"
    with open_gradebook(settings) as gradebook:
        assert gradebook.find_submission(LAB, "alice").score == 22, "the gradebook holds the score"


def test_the_sandbox_setting_selects_the_kernels_provisioner(tmp_path, settings):
    bubblewrap = make_launcher(settings, resolve_lab(settings, LAB), verify=False)
    assert bubblewrap.sandboxed and isinstance(bubblewrap.provisioner(), KernelProvisioner)
    assert bubblewrap.provisioner() is not bubblewrap.provisioner(), "each kernel has a provisioner of its own"
    config = course_with(str(tmp_path / "course"), "c.Autograder.sandbox = 'none'")
    trusted = load_config(config)
    unconfined = make_launcher(trusted, resolve_lab(trusted, LAB))
    assert not unconfined.sandboxed, "sandbox = 'none' starts kernels unconfined, as grade --no-sandbox does"


def test_an_unknown_sandbox_backend_is_a_configuration_error(tmp_path):
    config = course_with(str(tmp_path / "course"), "c.Autograder.sandbox = 'docker'")
    with pytest.raises(ConfigError, match="sandbox"):
        load_config(config)
