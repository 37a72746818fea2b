"""A time limit as one value: when it ends (time.monotonic seconds) and how long it was (for the message that
says it passed)."""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() seconds
    seconds: float  # the limit it came from, as the student reads it ("did not finish within 5 s")

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        """The deadline `seconds` from now."""
        return cls(time.monotonic() + seconds, seconds)

    def left(self) -> float:
        """Seconds until it passes (negative once it has)."""
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.left() <= 0
