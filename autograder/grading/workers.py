"""Grading several submissions at once: worker processes, each grading one submission at a time in its own
sandboxed kernel, exactly as `grade_or_reject` does in the main process.

Workers are processes, not threads: pytest, which runs the checks, keeps global state. They are spawned (not
forked) so that no lock or socket of the grader's threads is copied into them. Only the finished results and
notebooks come back; the caller writes the gradebook, so that one process alone writes to it.

A task's failure is that submission's result (grade_or_reject; a result that cannot come back is one too); a
failure of the grader's own (GraderError, a worker process that died) is raised, after every other finished
result has been handed on, so that a rerun has only the failed ones left to grade.
"""

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from autograder.course.config import Settings
from autograder.course.labs import Lab
from autograder.errors import GraderError
from autograder.grading.submission import Graded, grade_or_reject, grader_failure, rejected
from autograder.sandbox.grader_limits import limit_grader_memory

_worker: dict = {}  # in each worker process: its settings, lab and kernel launcher


def prepare_process(settings: Settings, lab: Lab, sandbox: bool):
    """Make this process a grader of `lab` (its memory limit); returns the launcher of its kernels."""
    from autograder.sandbox.backend import make_launcher

    limit_grader_memory(lab.grader_memory_bytes)
    return make_launcher(settings, lab, sandbox=sandbox)


def grade_with_launcher(settings: Settings, lab: Lab, launcher, path: str, folder: str) -> Graded:
    """Grade one submission in a kernel of its own from `launcher`, as a worker does (grade_or_reject)."""
    pool = lab.kernel_pool(launcher)  # nothing launched ahead: nothing left behind
    try:
        return grade_or_reject(settings, lab, path, pool, folder)
    finally:
        pool.close()


def _start_worker(settings: Settings, lab: Lab, sandbox: bool) -> None:
    _worker.update(settings=settings, lab=lab, launcher=prepare_process(settings, lab, sandbox))


def _grade(path: str, folder: str) -> Graded:
    return grade_with_launcher(_worker["settings"], _worker["lab"], _worker["launcher"], path, folder)


def grade_in_parallel(
    settings: Settings, lab: Lab, tasks: list[tuple[str, str]], workers: int, sandbox: bool = True
) -> Iterator[tuple[int, Graded]]:
    """(index, Graded) of each (notebook, its student's folder) in `tasks`, in their order, graded by `workers`
    processes at a time; a grader's failure is raised once every other task's result has been yielded."""
    context = multiprocessing.get_context("spawn")
    failure = None
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(settings, lab, sandbox)
    ) as pool:
        futures = [pool.submit(_grade, path, folder) for path, folder in tasks]
        for index, ((path, folder), future) in enumerate(zip(tasks, futures)):
            try:
                yield index, future.result()
            except (GraderError, BrokenProcessPool) as error:
                failure = failure or error
            except Exception as error:  # e.g. a result that could not be sent back from the worker
                yield index, rejected(settings, lab, path, folder, grader_failure(error), 0.0, grader_failed=True)
    if failure is not None:
        raise failure
