"""Grading several submissions at once: worker processes, each grading one submission at a time in its own
sandboxed kernel, exactly as `grade_or_reject` does in the main process.

Workers are processes, not threads: pytest, which runs the checks, keeps global state. They are spawned (not
forked) so that no lock or socket of the grader's threads is copied into them. Only the finished results and
notebooks come back; the caller writes the gradebook, so that one process alone writes to it.
"""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator

from .config import Settings
from .grading import Graded, grade_or_reject
from .kernel_pool import KernelPool
from .labs import Lab

_worker: dict = {}  # in each worker process: its settings, lab and kernel launcher


def _start_worker(settings: Settings, lab: Lab, sandbox: bool) -> None:
    from .sandbox import make_launcher

    _worker.update(settings=settings, lab=lab, launcher=make_launcher(settings, lab.name, sandbox=sandbox))


def _grade(path: str) -> Graded:
    settings, lab = _worker["settings"], _worker["lab"]
    pool = KernelPool.for_lab(settings, lab, _worker["launcher"])  # nothing launched ahead: nothing left behind
    try:
        return grade_or_reject(settings, lab, path, pool)
    finally:
        pool.close()


def grade_in_parallel(settings: Settings, lab: Lab, paths: list[str], workers: int, sandbox: bool = True) -> Iterator[Graded]:
    """The Graded of each notebook in `paths`, in their order, graded by `workers` processes at a time."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(settings, lab, sandbox)) as pool:
        yield from pool.map(_grade, paths)
