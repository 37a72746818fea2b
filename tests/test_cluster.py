"""`grade LAB --cluster` grades a class on a real Dask cluster (LocalCluster, and `dask worker` processes on
127.0.0.1): the verdicts of the batch, every submission recorded once through worker deaths and a killed client,
GPU labs routed to the workers that offer a GPU, workers with another kit refused."""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from conftest import KIT
from nbgrader.api import Gradebook

import autograder.course.grade_class as grade_class
from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab
from autograder.course.release import release_lab
from autograder.demo.course import hand_in, make_course
from autograder.demo.examples import load_variants
from autograder.errors import GraderError, UsageError
from autograder.grading.cluster import WORKER_DEATHS, ClusterTarget, parse_cluster, scheduler_config

LAB1, LAB3 = "lab1_neuron", "lab3_backprop"
SLOW = "heidi"  # lab1's example whose infinite loop keeps a worker busy until its cell's timeout


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with lab1 and lab3 released (answer keys executed) and their example submissions handed in."""
    folder = str(tmp_path_factory.mktemp("cluster") / "course")
    make_course(folder)
    settings = load_config(os.path.join(folder, "course_config.py"))
    for lab in (LAB1, LAB3):
        release_lab(settings, lab, with_solution=True)
        hand_in(settings, lab)
    return settings


@pytest.fixture
def local_cluster():
    """A LocalCluster of 2 worker processes on 127.0.0.1, for the tests that act on its workers; closed after."""
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(scheduler_config()),
        LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster,
    ):
        with Client(cluster) as client:
            yield cluster, client


@pytest.fixture
def recordings(monkeypatch):
    """How many times each student's grading was recorded (the gradebook, results.json, the feedback)."""
    counted: dict[str, int] = {}
    record = grade_class.record_submission

    def counting(settings, lab, submitted, graded, fingerprint):
        counted[submitted.student] = counted.get(submitted.student, 0) + 1
        return record(settings, lab, submitted, graded, fingerprint)

    monkeypatch.setattr(grade_class, "record_submission", counting)
    return counted


def verdicts(settings, lab_name: str, graded: dict) -> dict[str, object]:
    """{student: what the example must get}: its rejection, or the checks it loses with their reasons."""
    expected = {}
    for variant in load_variants(settings, lab_name):
        results = graded[variant.student]
        expected[variant.student] = (
            ("rejected", bool(results.rejected)) if variant.rejected else ("loses", results.failures)
        )
    return expected


def expected_verdicts(settings, lab_name: str, graded: dict) -> dict[str, object]:
    expected = {}
    for variant in load_variants(settings, lab_name):
        if variant.rejected:
            expected[variant.student] = ("rejected", True)
        else:
            names = {test.check.split("::")[-1]: test.name for test in graded[variant.student].tests}
            expected[variant.student] = ("loses", {names[check]: reason for check, reason in variant.loses.items()})
    return expected


def test_the_cluster_option_takes_local_n_or_a_schedulers_address():
    assert parse_cluster("local:4") == ClusterTarget(None, 4)
    assert parse_cluster("tcp://scheduler:8786") == ClusterTarget("tcp://scheduler:8786")
    for wrong in ("local:0", "local:x", "scheduler:8786", "tcp://"):
        with pytest.raises(UsageError, match="local:N"):
            parse_cluster(wrong)


@pytest.mark.parametrize("lab_name", [LAB1, LAB3])
def test_a_local_cluster_of_two_workers_grades_the_examples_as_the_batch_does(course, lab_name, recordings):
    """Each example gets the verdict it gets from `--workers 2` (tests/test_lab_examples.py): the checks its bug
    breaks, with their reasons, or its rejection; each is recorded once, and says which worker graded it."""
    lab = find_lab(course, lab_name)
    graded = grade_all(course, lab, None, progress=False, cluster=parse_cluster("local:2"))
    assert verdicts(course, lab_name, graded) == expected_verdicts(course, lab_name, graded)
    assert set(recordings.values()) == {1} and set(recordings) == set(graded), (
        f"every submission recorded exactly once: {recordings}"
    )
    graded_here = [student for student, results in graded.items() if results.grader is None and not results.rejected]
    assert graded_here == [], f"graded outside the cluster: {graded_here}"
    assert all("127.0.0.1" in results.grader for results in graded.values() if results.grader)


PIDS: dict[str, int] = {}  # worker address -> its process id (a restarted worker comes back at a new address)


def pid_of_worker_grading(client, key_part: str, killed: tuple[int, ...] = (), timeout: float = 90.0) -> int:
    """The pid of the live worker process that is grading the task whose key holds `key_part`, once one is (a
    worker in `killed`, which the scheduler may still list for a moment, is not it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if any(key_part in str(key) for key in keys):
                if address not in PIDS:  # asked once per worker: a dead one may not answer for a while
                    PIDS[address] = client.run(os.getpid, workers=[address])[address]
                pid = PIDS[address]
                if pid not in killed:
                    time.sleep(1.0)  # give its grading a moment to start its kernel
                    return pid
        time.sleep(0.1)
    raise AssertionError(f"no live worker took the task {key_part} within {timeout} s")


SLOW_TASK = f"grade-{LAB1}-{SLOW}-"  # the start of its task's key on the cluster


def test_a_worker_killed_mid_submission_leaves_every_submission_graded_exactly_once(course, local_cluster, recordings):
    cluster, client = local_cluster
    lab = find_lab(course, LAB1)
    killed = []
    killer = threading.Thread(
        target=lambda: killed.append(os.kill(pid_of_worker_grading(client, SLOW_TASK), signal.SIGKILL) or True),
        daemon=True,
    )
    killer.start()
    graded = grade_all(course, lab, None, force=True, progress=False, cluster=ClusterTarget(cluster.scheduler_address))
    killer.join(timeout=5)
    assert killed, "a worker was killed while it graded a submission"
    assert verdicts(course, LAB1, graded) == expected_verdicts(course, LAB1, graded), "the verdicts are the batch's"
    students = {variant.student for variant in load_variants(course, LAB1)}
    assert set(recordings.values()) == {1}, f"no submission recorded twice: {recordings}"
    with Gradebook(course.db_url, course.course_id) as gradebook:
        in_gradebook = [sub.student.id for sub in gradebook.assignment_submissions(LAB1)]
    assert sorted(in_gradebook) == sorted(students), "one gradebook entry per submission"


def test_a_submission_that_kills_its_worker_again_and_again_ends_with_a_reason(course, local_cluster, recordings):
    cluster, client = local_cluster
    lab = find_lab(course, LAB1)
    kills = []

    def keep_killing():
        for _ in range(WORKER_DEATHS):
            pid = pid_of_worker_grading(client, SLOW_TASK, tuple(kills))
            os.kill(pid, signal.SIGKILL)
            kills.append(pid)

    killer = threading.Thread(target=keep_killing, daemon=True)
    killer.start()
    graded = grade_all(
        course, lab, None, force=True, progress=False, cluster=ClusterTarget(cluster.scheduler_address), students=[SLOW]
    )
    killer.join(timeout=5)
    assert len(kills) == WORKER_DEATHS, f"its worker was killed {WORKER_DEATHS} times: {kills}"
    results = graded[SLOW]
    assert results.rejected and "ended its Dask worker's process again and again" in results.rejected, results.rejected
    assert results.grader_failed, "the next run grades it again"
    assert recordings == {SLOW: 1}, "recorded once, with its reason"


def test_a_client_killed_mid_batch_is_resumed_by_the_next_run_without_grading_anything_twice(course, recordings):
    """lab1 on 2 workers: the quick examples are done while heidi's loop holds a worker, and the command is killed."""
    layout = course.layout
    students = sorted(variant.student for variant in load_variants(course, LAB1))
    for student in students:
        path = layout.results_path(student, LAB1)
        if os.path.exists(path):
            os.remove(path)
    command = [sys.executable, "-m", "autograder", "--config", course.path("course_config.py")]
    run = subprocess.Popen(
        [*command, "grade", LAB1, "--cluster", "local:2", "--quiet"],
        cwd=KIT,
        start_new_session=True,  # the client, its LocalCluster and their kernels: one group, killed together
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    done_first = {}
    while time.monotonic() < deadline and len(done_first) < 3 and run.poll() is None:
        done_first = {
            student: os.stat(layout.results_path(student, LAB1)).st_mtime_ns
            for student in students
            if os.path.exists(layout.results_path(student, LAB1))
        }
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert 3 <= len(done_first) < len(students), (
        f"the client was killed mid-batch: {len(done_first)} of {len(students)} graded ({run.stderr.read()[-500:]!r})"
    )
    done_first = {  # what the killed run finished, results.json written last
        student: os.stat(layout.results_path(student, LAB1)).st_mtime_ns
        for student in students
        if os.path.exists(layout.results_path(student, LAB1))
    }
    graded = grade_all(course, find_lab(course, LAB1), None, progress=False, cluster=parse_cluster("local:2"))
    assert set(recordings) == set(students) - set(done_first), "the rerun grades exactly what was missing"
    assert set(recordings.values()) == {1}
    for student, mtime in done_first.items():
        assert os.stat(layout.results_path(student, LAB1)).st_mtime_ns == mtime, f"{student} was not graded again"
    assert verdicts(course, LAB1, graded) == expected_verdicts(course, LAB1, graded)


def test_a_lab_that_requires_a_gpu_is_refused_by_a_cluster_without_gpu_workers(course, local_cluster, recordings):
    cluster, _ = local_cluster
    lab = replace(find_lab(course, LAB1), require_gpu=True)
    with pytest.raises(UsageError, match="no worker of the cluster offers one.*--resources GPU=1"):
        grade_all(course, lab, None, force=True, progress=False, cluster=ClusterTarget(cluster.scheduler_address))
    assert recordings == {}, "nothing graded"


def test_a_lab_that_prefers_a_gpu_is_graded_by_the_worker_that_offers_one(course, local_cluster, recordings):
    """A `dask worker --resources GPU=1` joins the cluster (it has no GPU: the scheduler goes by what workers
    declare): every submission of a prefer_gpu lab goes to it, none to the two plain workers."""
    cluster, client = local_cluster
    worker = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "dask"),
            "worker",
            cluster.scheduler_address,
            "--nthreads",
            "1",
            "--resources",
            "GPU=1",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
            "--name",
            "gpu-worker",
        ],
        cwd=KIT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client.wait_for_workers(3, timeout=60)
        gpu_address = next(
            address
            for address, info in client.scheduler_info(n_workers=-1)["workers"].items()
            if info.get("name") == "gpu-worker"
        )
        lab = replace(find_lab(course, LAB1), prefer_gpu=True)
        graded = grade_all(
            course,
            lab,
            None,
            force=True,
            progress=False,
            cluster=ClusterTarget(cluster.scheduler_address),
            students=["alice", "bob", "carol"],
        )
        where = {student: results.grader.split(" ")[0] for student, results in graded.items()}
        assert set(where.values()) == {gpu_address}, f"every submission on the GPU worker {gpu_address}: {where}"
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_worker_with_another_kit_version_is_refused_with_the_part_that_differs(course, local_cluster):
    cluster, client = local_cluster

    def another_kit():
        import autograder

        autograder.__version__ += "+other"

    client.run(another_kit)
    with pytest.raises(GraderError, match="the kit's version differ.*same kit checkout"):
        grade_all(
            course,
            find_lab(course, LAB1),
            None,
            force=True,
            progress=False,
            cluster=ClusterTarget(cluster.scheduler_address),
            students=["alice"],
        )
