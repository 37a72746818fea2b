"""What one submission may use: its times (seconds), its output and value sizes (bytes), and the checks' seed.

A plain record, made once per lab from the course's configuration (course/labs.py), so that the kernel and
grading layers never read the configuration themselves.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Seconds and bytes for one submission."""

    kernel_start_timeout: float
    cell_timeout: float
    check_timeout: float
    submission_timeout: float
    interrupt_grace: float
    max_output_bytes: int
    max_value_bytes: int
    max_submission_output_bytes: int
    max_kernel_deaths: int
    seed: int
