"""Time `grade LAB` on a Dask LocalCluster against the one-machine batch: the cluster's overhead per submission.

A throwaway course (as bench_lab1.py builds it) gets N copies of lab1's eight gradable example submissions
(alice ... judy: 40 by default), then the whole class is graded, each command in its own subprocess with
--force, so that each pays its own start-up (and the cluster its LocalCluster's):

  one worker       python -m autograder ... grade lab1_neuron --force --quiet
  --workers 2      the same with --workers 2 (a process pool on this machine)
  --cluster local:2  the same on a LocalCluster of 2 worker processes (grading/cluster.py)

It prints each method's seconds in all and per submission, the cluster's throughput against --workers 2 and its
overhead per submission ((cluster - workers) / submissions), and checks that the three runs gave the same scores.
The overhead holds the LocalCluster's start and stop, paid once per command whatever the class's size: they are
timed on their own (a LocalCluster of the same workers started and closed in this process, median of three) and
the overhead is printed again without them.

Then the results of a GAN lab (--transfer-lab, lab5_gan by default; --transfer-lab none to skip): its answer key
is graded once by a task on a LocalCluster of one worker (grading/cluster.py grade_on_worker, in the sandbox,
about 100 s on 2 cores), and the script prints
  the Graded's size, pickled (what the worker sends back: the typed results with the pictures' PNGs, and the
  notebook as it ran), and the part of it that is the pictures;
  the scheduler's and the transfer's share of that task: the seconds from submit to the result in this process,
  less the seconds the task spent in grade_on_worker on the worker;
  the transfer alone: the Graded scattered to the worker, then a task that returns it and one that returns
  None, each gathered --repeat times: the difference of their medians is what moving that result costs.

    .venv/bin/python bench/cluster.py [--copies 5] [--workers 2] [--transfer-lab lab5_gan] [--repeat 20] [--keep]
"""

import argparse
import json
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_lab1 import LAB, NBGRADER_CONFIG, PYTHON, STUDENTS, build_course, run  # noqa: E402

from autograder.course.config import load_config  # noqa: E402
from autograder.course.fingerprint import lab_fingerprint  # noqa: E402
from autograder.course.labs import find_lab  # noqa: E402
from autograder.course.release import release_lab  # noqa: E402
from autograder.demo.course import make_course  # noqa: E402
from autograder.demo.examples import load_variants, write_variant  # noqa: E402
from autograder.grading.cluster import ClusterTarget, connect, grade_on_worker  # noqa: E402

ANSWER_KEY = "alice"  # the examples' answer key, in every lab


def add_copies(settings, copies: int) -> list[str]:
    """Hand in `copies` - 1 more copies of each of the eight submissions (students <name>2, <name>3, ...);
    returns every student of the class."""
    students = list(STUDENTS)
    for copy in range(2, copies + 1):
        for student in STUDENTS:
            source = settings.path("submitted", student, LAB)
            twin = f"{student}{copy}"
            shutil.copytree(source, settings.path("submitted", twin, LAB))
            run(["nbgrader", "db", "student", "add", twin, NBGRADER_CONFIG], cwd=settings.root)
            students.append(twin)
    return students


def scores(settings, students: list[str]) -> dict[str, float]:
    """Each student's score in results.json, as the last run wrote it."""
    found = {}
    for student in students:
        with open(settings.path("autograded", student, LAB, "results.json"), encoding="utf-8") as handle:
            found[student] = json.load(handle)["score"]
    return found


def cluster_start_seconds(workers: int, repeat: int = 3) -> float:
    """Median seconds to start a LocalCluster of `workers` processes (as `--cluster local:N` does), connect a
    client and close both."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connect(ClusterTarget(None, workers), progress=False) as client:
            client.wait_for_workers(workers)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def timed_grade(settings, lab, path, folder, fingerprint):
    """The cluster's task, timed where it runs: (Graded, seconds in grade_on_worker)."""
    started = time.perf_counter()
    graded = grade_on_worker(settings, lab, path, folder, True, fingerprint)
    return graded, time.perf_counter() - started


def the_same(value):
    """A task that hands back what it was given."""
    return value


def nothing(value) -> None:
    """A task that takes the same input and hands back nothing."""
    return None


def gather_seconds(client, task, data, repeat: int) -> float:
    """Median seconds of `repeat` round trips of `task` on the scattered `data`, its result gathered here."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.submit(task, data, pure=False).result()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def transfer_figures(lab_name: str, repeat: int) -> None:
    """Grade `lab_name`'s answer key by a task on a one-worker LocalCluster; print the result's size and what the
    scheduler and the transfer add to its task (see the module's docstring)."""
    course = os.path.join(tempfile.mkdtemp(prefix="bench-transfer-"), "course")
    make_course(course)
    os.chdir(course)
    settings = load_config(os.path.join(course, "course_config.py"))
    release_lab(settings, lab_name)
    variant = next(v for v in load_variants(settings, lab_name) if v.student == ANSWER_KEY)
    folder = settings.layout.submitted_dir(ANSWER_KEY, lab_name)
    path = os.path.join(folder, lab_name + ".ipynb")
    write_variant(settings, lab_name, variant, path)
    lab = find_lab(settings, lab_name, on_cluster=True)
    fingerprint = lab_fingerprint(settings, lab)
    with connect(ClusterTarget(None, 1), progress=False) as client:
        client.wait_for_workers(1)
        client.submit(nothing, 0, pure=False).result()  # the worker's first task pays its imports
        started = time.perf_counter()
        graded, on_worker = client.submit(timed_grade, settings, lab, path, folder, fingerprint, pure=False).result()
        round_trip = time.perf_counter() - started
        data = client.scatter(graded)
        returned = gather_seconds(client, the_same, data, repeat)
        empty = gather_seconds(client, nothing, data, repeat)
    size = len(pickle.dumps(graded))
    pictures = sum(len(picture.png) for picture in graded.results.pictures)
    print(f"{lab_name}: the answer key graded by one task on a LocalCluster of one worker")
    print(f"  score {graded.results.score}/{graded.results.max_score}, {len(graded.results.pictures)} pictures")
    print(f"  result pickled: {size / 1000:.0f} kB, of which the pictures' PNGs (base64) {pictures / 1000:.0f} kB")
    print(f"  task: {round_trip:.2f} s submit to result, {on_worker:.2f} s in grade_on_worker on the worker")
    print(f"  scheduler and transfer for that task: {(round_trip - on_worker) * 1000:.0f} ms")
    print(
        f"  transfer alone (median of {repeat}): {returned * 1000:.1f} ms returning the result, "
        f"{empty * 1000:.1f} ms returning nothing: {(returned - empty) * 1000:.1f} ms for the result"
    )
    shutil.rmtree(os.path.dirname(course), ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=5, help="copies of the eight submissions (default 5: 40)")
    parser.add_argument("--workers", type=int, default=2, help="processes of --workers and of the LocalCluster")
    parser.add_argument("--transfer-lab", default="lab5_gan", help="the lab whose results' transfer is timed, or none")
    parser.add_argument("--repeat", type=int, default=20, help="round trips of the transfer timing")
    parser.add_argument("--keep", action="store_true", help="keep the course folder")
    args = parser.parse_args(argv)
    course = os.path.join(tempfile.mkdtemp(prefix="bench-cluster-"), "course")
    settings = build_course(course)
    students = add_copies(settings, args.copies)
    grade = [PYTHON, "-m", "autograder", "--config", settings.path("course_config.py"), "grade", LAB, "--force"]
    methods = {
        "one worker": grade + ["--quiet"],
        f"--workers {args.workers}": grade + ["--quiet", "--workers", str(args.workers)],
        f"--cluster local:{args.workers}": grade + ["--quiet", "--cluster", f"local:{args.workers}"],
    }
    seconds, given = {}, {}
    for method, command in methods.items():
        seconds[method] = run(command, settings.root)
        given[method] = scores(settings, students)
    count = len(students)
    print(f"{LAB}: {count} submissions, {os.cpu_count()} cores")
    print(f"{'method':<22}{'seconds':>10}{'per submission':>16}")
    for method, total in seconds.items():
        print(f"{method:<22}{total:>10.2f}{total / count:>16.3f}")
    workers, cluster = list(seconds.values())[1:]
    print(f"cluster throughput / --workers {args.workers}: {workers / cluster:.2f}")
    print(f"cluster overhead per submission: {(cluster - workers) / count * 1000:.0f} ms")
    start = cluster_start_seconds(args.workers)
    print(f"LocalCluster of {args.workers} started and closed: {start:.2f} s (once per command)")
    print(f"cluster overhead per submission without it: {(cluster - start - workers) / count * 1000:.0f} ms")
    same = len({json.dumps(found, sort_keys=True) for found in given.values()}) == 1
    print("same scores from the three runs:", "yes" if same else f"NO: {given}")
    if not args.keep:
        shutil.rmtree(os.path.dirname(course), ignore_errors=True)
    if args.transfer_lab != "none":
        transfer_figures(args.transfer_lab, args.repeat)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
