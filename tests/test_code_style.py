"""The kit's code keeps one style: ruff's lint rules and its format, as pyproject.toml configures them."""

import os
import subprocess
import sys

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUFF = os.path.join(os.path.dirname(sys.executable), "ruff")  # pinned in requirements.txt


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([RUFF, *arguments], cwd=KIT, capture_output=True, text=True, timeout=120)


def test_the_code_passes_ruffs_lint_rules():
    run = ruff("check", "--no-cache", ".")
    assert run.returncode == 0, (
        f"ruff check found problems (`ruff check --fix .` fixes most):\n{run.stdout}{run.stderr}"
    )


def test_the_code_is_formatted_as_ruff_formats_it():
    run = ruff("format", "--check", "--no-cache", ".")
    assert run.returncode == 0, f"files to format (`ruff format .`):\n{run.stdout}{run.stderr}"
