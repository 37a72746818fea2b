#!/usr/bin/env bash
# The kit's tests: set up, then run the whole suite (pass extra pytest arguments through).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup_env.sh
python -m pytest "$@"
