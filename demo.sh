#!/usr/bin/env bash
# The demo: set up, release the labs, grade example submissions (correct, buggy, broken) into the SQLite
# gradebook, print the scores and say where the feedback is. Everything stays under demo_course/.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup_env.sh
python -m autograder.demo.course "$@"
