"""Grading a class on a Dask cluster: each task grades one submission on a worker, as `grade LAB NOTEBOOK` does.

`grade LAB --cluster local:N` starts a LocalCluster of N worker processes on this machine (and stops it after);
`--cluster tcp://host:8786` uses a running scheduler (on SLURM through dask-jobqueue, on Kubernetes through
dask-kubernetes, or `dask scheduler` and `dask worker` by hand). Every worker runs the same kit checkout and venv
and sees the course folder at the same path (a shared file system): a task hands it the paths, the worker reads
the submission, grades it in its own sandboxed kernel and sends back only the Graded (typed results, the run's
notebook, the pictures' data). This process alone writes the gradebook, results.json and the feedback, as
after `--workers N`, so a killed run resumes from results.json and nothing is recorded twice.

A worker whose kit or lab files differ from this machine's (its fingerprint of the lab differs) refuses the task:
the run stops with a GraderError that says which part differs. Labs with `require_gpu` or `prefer_gpu` are sent
to workers started with `--resources GPU=1`, one task per GPU; a `require_gpu` lab on a cluster without such a
worker is refused before anything is sent, a `prefer_gpu` one is graded by the other workers, with a warning.

A worker that dies mid-task (killed, out of memory) has its task sent to another worker by the scheduler; one
that dies WORKER_DEATHS times on the same submission (one more than the scheduler's
distributed.scheduler.allowed-failures) ends as that submission's result, with the reason, and is not tried again
in this run (the next run tries it again: grader_failed).
"""

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.errors import GraderError, UsageError
from autograder.grading.submission import Graded, grader_failure, rejected

LOCAL = "local:"
GPU = "GPU"  # the worker resource a GPU lab's task asks for (`dask worker --resources GPU=1`)
SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")
WORKER_DEATHS = 3  # deaths of a worker while it grades one submission before that submission is given up


@dataclass(frozen=True)
class ClusterTarget:
    """Where to grade: a LocalCluster of `local_workers` processes started here, or the scheduler at `address`."""

    address: str | None
    local_workers: int = 0

    def __str__(self) -> str:
        return self.address or f"{LOCAL}{self.local_workers}"


def parse_cluster(text: str) -> ClusterTarget:
    """'local:N' (N >= 1) or a scheduler's address ('tcp://host:8786'); UsageError for anything else."""
    text = text.strip()
    if text.startswith(LOCAL):
        count = text.removeprefix(LOCAL)
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--cluster {text!r}: local:N needs a number of workers N >= 1, e.g. local:4")
        return ClusterTarget(None, int(count))
    if text.startswith(SCHEMES) and len(text.split("://", 1)[1]) > 0:
        return ClusterTarget(text)
    raise UsageError(
        f"--cluster {text!r}: expected local:N (a cluster of N worker processes on this machine) or the address "
        "of a running Dask scheduler, such as tcp://scheduler-host:8786"
    )


def scheduler_config() -> dict:
    """The Dask settings of a scheduler this kit starts (a running one keeps its own): the scheduler gives a task
    up when its worker died on it more than allowed-failures times."""
    return {"distributed.scheduler.allowed-failures": WORKER_DEATHS - 1}


@contextmanager
def connect(target: ClusterTarget, progress: bool = True):
    """A dask.distributed Client of `target`, closed afterwards (with the LocalCluster it started, if any); the
    dashboard's link goes to stderr with `progress`."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(scheduler_config()):
        if target.address is None:
            # one thread per worker: pytest, which runs the checks, keeps global state
            cluster = LocalCluster(
                n_workers=target.local_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            )
            client = Client(cluster)
        else:
            cluster, client = None, Client(target.address, timeout="30s")
    try:
        if progress:
            print(f"grading on the Dask cluster {target}; dashboard: {client.dashboard_link}", file=sys.stderr)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def gpu_workers(client) -> list[str]:
    """The addresses of the cluster's workers that offer a GPU (started with --resources GPU=N)."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    return [address for address, info in workers.items() if info.get("resources", {}).get(GPU, 0) >= 1]


def task_resources(lab: Lab, client, progress: bool = True) -> dict[str, int] | None:
    """What each of `lab`'s tasks asks of its worker: a GPU for a require_gpu or prefer_gpu lab when the cluster
    has one; UsageError for a require_gpu lab on a cluster without one."""
    if not (lab.require_gpu or lab.prefer_gpu):
        return None
    if gpu_workers(client):
        return {GPU: 1}
    if lab.require_gpu:
        raise UsageError(
            f"{lab.name} is to be graded on a GPU (require_gpu in course_config.py) and no worker of the cluster "
            "offers one: start GPU workers with `dask worker SCHEDULER --resources GPU=1`, or set require_gpu to "
            "False (prefer_gpu grades on GPU workers when there are some, else on the others)"
        )
    if progress:
        print(
            f"{lab.name} prefers a GPU (prefer_gpu) and no worker of the cluster offers one (--resources GPU=1): "
            "grading it on the CPU workers, with the CPU budget",
            file=sys.stderr,
        )
    return None


_prepared: dict = {}  # in each worker process: (lab, sandbox) -> the lab's launcher, after its fingerprint agreed


def grade_on_worker(settings: Settings, lab: Lab, path: str, folder: str, sandbox: bool, fingerprint) -> Graded:
    """The task: grade one submission on this worker, as the --workers processes do (workers.py), after checking
    once per lab that this worker grades with the same kit and lab files as the client (`fingerprint`)."""
    from distributed import get_worker

    from autograder.course.fingerprint import lab_fingerprint
    from autograder.grading.workers import grade_with_launcher, prepare_process

    key = (lab.name, sandbox, fingerprint)
    if key not in _prepared:
        here = lab_fingerprint(settings, lab)
        differs = here.changed(fingerprint)
        if differs:
            raise GraderError(
                f"the Dask worker {get_worker().address} on {socket.gethostname()} grades {lab.name} differently "
                f"from this machine ({', '.join(differs)} differ): every worker needs the same kit checkout, venv "
                "and course files (see the README's 'Grading at scale')"
            )
        _prepared[key] = prepare_process(settings, lab, sandbox)
    graded = grade_with_launcher(settings, lab, _prepared[key], path, folder)
    where = f"{get_worker().address} ({socket.gethostname()}, pid {os.getpid()})"
    return Graded(replace(graded.results, grader=where), graded.notebook)


def grade_on_cluster(
    settings: Settings,
    lab: Lab,
    tasks: list[tuple[str, str, str]],
    target: ClusterTarget,
    fingerprint,
    sandbox: bool = True,
    progress: bool = True,
) -> Iterator[tuple[int, Graded]]:
    """(index, Graded) of each (student, notebook, the student's folder) in `tasks`, as the cluster finishes them
    (each task's key names its student, as the dashboard shows it); a
    submission whose grading killed its worker again and again is that submission's result. A grader's
    failure (a worker that refuses: see grade_on_worker) is raised once every other result has been yielded."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    with connect(target, progress) as client:
        resources = task_resources(lab, client, progress)
        run = uuid.uuid4().hex[:8]
        futures = {
            client.submit(
                grade_on_worker,
                settings,
                lab,
                path,
                folder,
                sandbox,
                fingerprint,
                key=f"grade-{lab.name}-{student}-{run}",
                pure=False,
                resources=resources,
            ): index
            for index, (student, path, folder) in enumerate(tasks)
        }
        failure = None
        for future in as_completed(futures):
            index = futures[future]
            _, path, folder = tasks[index]
            try:
                yield index, future.result()
            except KilledWorker:
                said = (
                    "grading this file ended its Dask worker's process again and again (killed, or out of memory; "
                    "the scheduler's distributed.scheduler.allowed-failures); it is graded again on the next run"
                )
                yield index, rejected(settings, lab, path, folder, said, 0.0, grader_failed=True)
            except GraderError as error:
                failure = failure or error
            except Exception as error:  # e.g. a result that could not be sent back from the worker
                yield index, rejected(settings, lab, path, folder, grader_failure(error), 0.0, grader_failed=True)
            finally:
                future.release()
        if failure is not None:
            raise failure
