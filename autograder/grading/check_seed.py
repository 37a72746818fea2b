"""The per-submission seed of the checks' random inputs: HMAC-SHA256(course secret, lab and notebook sha256).

A student who learns the inputs of one grading (from feedback, or by logging the requests in the kernel) cannot
reuse them: another notebook gets other inputs. The same notebook gets the same ones, so a regrade is
reproducible, and results.json keeps the seed (extra_data.check_seed). The checks draw their inputs from it in
the grader (`LabData.rng`); the kernel is never sent the seed, only the values the checks draw.

The course secret is a file only the grader reads (`Autograder.secret_file`, course_secret.txt in the course
folder by default): created on first use with 32 random bytes, mode 0600; keep it out of version control and out
of students' reach (the sandbox shows kernels nothing of the course folder). Changing it changes every
submission's inputs.
"""

import hashlib
import hmac
import os
import secrets
import tempfile

from autograder.course.config import Settings
from autograder.errors import GraderError

SEED_BITS = 63  # NumPy, torch and random all take a seed this wide


def course_secret(path: str) -> bytes:
    """The secret in the file at `path`, made first (mode 0600, atomically: concurrent graders agree) if missing."""
    if not os.path.exists(path):
        folder = os.path.dirname(os.path.abspath(path))
        handle, draft = tempfile.mkstemp(prefix=".secret-", dir=folder)  # mode 0600
        try:
            os.write(handle, (secrets.token_hex(32) + "\n").encode("ascii"))
            os.close(handle)
            os.link(draft, path)  # fails if another grader made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path, "rb") as handle:
        secret = handle.read(4096).strip()
    if len(secret) < 16:
        raise GraderError(f"the course secret {path} is shorter than 16 bytes: delete it and a new one is made")
    return secret


def check_seed(secret: bytes, lab: str, notebook_sha256: str) -> int:
    """A seed of SEED_BITS bits for one notebook of one lab."""
    digest = hmac.new(secret, f"{lab}\n{notebook_sha256}".encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


def for_submission(settings: Settings, lab: str, notebook_sha256: str) -> int:
    """The seed of the checks' inputs for the notebook with this sha256, under the course's secret."""
    return check_seed(course_secret(settings.path(settings.autograder.secret_file)), lab, notebook_sha256)
