"""The grader's own memory limit: whatever a submission sends, the grading process (and each --workers process)
stays within `Autograder.grader_memory_bytes`, so that no submission can take the machine down.

The limit is RLIMIT_DATA, set as the soft limit: Linux counts every private writable mapping in it (the heap,
anonymous mmap, thread stacks), and an allocation past it fails with MemoryError in the grader, which the
kernel session and the checks turn into that submission's failure with the reason "memory" (see
kernel/session.py, grading/check_runner.py). Measured here: a grader that has imported pytest, nbformat and zmq holds
about 115 MiB of data; with torch imported as well (the GAN checks' judge), about 870 MiB, while its address
space is 3.4 GiB: RLIMIT_AS would count what torch and TensorFlow reserve and never use. A memory cgroup
would not do either: the kernels' cgroups are made under the grader's own (cgroup.py), so it would count them.

The hard limit is left as it was, so that the sandbox lifts the soft limit again for the kernels it starts
(they have a memory cgroup of their own, memory_bytes).
"""

import resource


def limit_grader_memory(limit: int) -> None:
    """Put this process under `limit` bytes of data memory (a lab's grader_memory_bytes; 0: no limit of ours)."""
    if limit <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
