#!/usr/bin/env bash
# Create or reuse .venv with the pinned requirements and this kit installed; idempotent and quick when done.
# Sourced by demo.sh and test.sh; run it alone to set up a course machine.
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$KIT/.venv"
# A system Python (not one under /root) so that the sandbox's unprivileged user can run the kernels.
PYTHON="${KIT_PYTHON:-$(command -v python3.11 || command -v python3)}"
for candidate in /usr/bin/python3.11 /usr/bin/python3; do
  if [ -z "${KIT_PYTHON:-}" ] && [ -x "$candidate" ]; then PYTHON="$candidate"; break; fi
done

# The sandbox (see autograder/sandbox/bubblewrap.py): bubblewrap, and the unprivileged user the kernels run as; and
# Fashion-MNIST, the data set course_config.py may choose instead of MNIST (Debian's package, 30 MB).
SANDBOX_USER="${KIT_SANDBOX_USER:-agsandbox}"
if [ "$(id -u)" = 0 ]; then
  apt_install() { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") >&2; }
  if ! command -v bwrap >/dev/null; then
    echo "setup: installing bubblewrap" >&2
    apt_install bubblewrap
  fi
  if [ ! -d /usr/share/datasets/fashion-mnist ]; then
    echo "setup: installing dataset-fashion-mnist" >&2
    apt_install dataset-fashion-mnist || echo "setup: Fashion-MNIST could not be installed (only MNIST will work)" >&2
  fi
  # headless Chromium for the tests that open formgrader and the feedback page in a real browser (not for a
  # machine that only grades: KIT_GRADER_ONLY=1, as the Gradescope autograder's setup.sh sets it)
  if [ -z "${KIT_GRADER_ONLY:-}" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
    echo "setup: installing chromium and chromium-driver" >&2
    apt_install chromium chromium-driver
  fi
  id "$SANDBOX_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$SANDBOX_USER"
elif ! command -v bwrap >/dev/null || ! id "$SANDBOX_USER" >/dev/null 2>&1; then
  echo "setup: not root, so bubblewrap and the user $SANDBOX_USER cannot be set up here;" \
       "grading needs them (or --no-sandbox, for submissions you trust)" >&2
fi

stamp_of() { cat "$KIT/requirements.txt" "$KIT/pyproject.toml" "$KIT/scripts/setup_env.sh" | sha256sum | cut -d' ' -f1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV with $PYTHON" >&2
  "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$VENV/.kit-stamp" 2>/dev/null)" != "$(stamp_of)" ]; then
  echo "setup: installing the pinned requirements (a few minutes the first time)" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$KIT/requirements.txt"
  # compat mode: a plain path in a .pth file, not an import hook that every Python process (kernels too) loads
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    --config-settings editable_mode=compat -e "$KIT"
  # TensorFlow 2.21 loads its LLVM globally and crashes torch in the same process (upstream TF issue 124205);
  # this keeps TF's libraries local (docs/architecture.md, "TensorFlow and torch never share a process").
  SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  echo 'import sys; sys.modules.setdefault("tensorflow.python.pywrap_dlopen_global_flags", None)' > "$SITE/tf_rtld_local.pth"
  "$VENV/bin/python" -m pip check >&2
  stamp_of > "$VENV/.kit-stamp"
fi
# matplotlib's font list, built once here rather than by every grading kernel (autograder/kernel/provisioner.py, FONT_CACHE_DIR);
# with an empty home, so that it lists only the fonts a sandboxed kernel sees too
FONT_CACHE="$VENV/share/autograder/matplotlib"
if ! ls "$FONT_CACHE"/fontlist-v*.json >/dev/null 2>&1; then
  mkdir -p "$FONT_CACHE"
  (cd "$FONT_CACHE" && HOME="$FONT_CACHE" MPLCONFIGDIR="$FONT_CACHE" "$VENV/bin/python" -c "import matplotlib.font_manager")
  chmod -R a+rX "$VENV/share/autograder"
fi
export PATH="$VENV/bin:$PATH"
