#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (its Ubuntu 22.04 base image): the
# kit's setup (kit/scripts/setup_env.sh) with Python 3.11, bubblewrap and the sandbox's user, without the
# browser that only the kit's own tests need. Written by `autograder gradescope LAB`.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv bubblewrap util-linux
KIT_PYTHON=/usr/bin/python3.11 KIT_GRADER_ONLY=1 bash "$SOURCE/kit/scripts/setup_env.sh"
