"""A real formgrader in a real browser, for the tests that look at what an instructor sees.

`start_formgrader` runs a `jupyter server` with nbgrader's formgrader on a course folder (127.0.0.1, a token, a
Jupyter home of its own) and stops it afterwards; `open_browser` is headless Chromium driven by selenium
(scripts/setup_env.sh installs chromium and chromium-driver); `screenshot` saves what the browser shows beside the
test output.
"""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from conftest import KIT

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOTS = os.path.join(KIT, "test-output", "screenshots")
VENV_BIN = os.path.dirname(sys.executable)


def jupyter_env(home) -> dict[str, str]:
    """The environment of a Jupyter or nbgrader command run as a person whose home is `home`: their own Jupyter
    folders, the venv's commands first, and nothing else of the test's environment (an AUTOGRADER_CONFIG or a
    JUPYTER_CONFIG_DIR there must not change what the command reads)."""
    home = os.fspath(home)
    return {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": os.path.join(home, "config"),
        "JUPYTER_DATA_DIR": os.path.join(home, "data"),
        "JUPYTER_RUNTIME_DIR": os.path.join(home, "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def jupyter_app(arguments: list[str], cwd, home, log_name: str, ready, timeout: float = 60):
    """Run `jupyter ARGUMENTS` in `cwd` as the person whose home is `home`, wait until `ready()` returns without
    OSError, yield the end of its log as a function (for failure messages), and stop it afterwards. Its log is
    `home`/`log_name`."""
    os.makedirs(home, exist_ok=True)
    log_path = os.path.join(home, log_name)
    with open(log_path, "w+", encoding="utf-8") as log:
        server = subprocess.Popen(
            [os.path.join(VENV_BIN, "jupyter"), *arguments],
            cwd=cwd,
            env=jupyter_env(home),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def server_log() -> str:
            log.flush()
            with open(log_path, encoding="utf-8") as reader:
                return reader.read()[-4000:]

        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    ready()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"jupyter {arguments[0]} did not start:\n{server_log()}")
                    time.sleep(0.2)
            yield server_log
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def start_formgrader(course_root, home, token: str = "formgrader-test"):
    """(base URL, token) of a `jupyter server` serving formgrader for the course in `course_root`, run from the
    course folder with the course's config, as an instructor runs it; its log is `home`/server.log."""
    port = free_port()
    arguments = [
        "server",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course_root}",
        "--NbGrader.config_file=course_config",  # nbgrader ignores --config
    ]

    def listening():
        socket.create_connection(("127.0.0.1", port), timeout=1).close()

    with jupyter_app(arguments, course_root, home, "server.log", listening):
        yield f"http://127.0.0.1:{port}", token


@contextmanager
def open_browser():
    """Headless Chromium, a tall window (formgrader's tables and notebooks fit in one screenshot), quit afterwards."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail(
            "headless Chromium is missing: scripts/setup_env.sh installs chromium and chromium-driver (as root)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,2000",
    ):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def log_in(driver, base_url: str, token: str) -> None:
    """Log the browser in to the server, as opening Jupyter with its token does. Opening a formgrader page with
    ?token= is not enough for the page's own API calls: formgrader's handlers set the login cookie with an empty
    base URL, so the browser keeps it for that page's folder only and the API answers with a redirect."""
    driver.get(f"{base_url}/api/status?token={token}")


def screenshot(driver, name: str, folder: str = SCREENSHOTS) -> None:
    """What the window shows as <name>.png and, where the page is longer than the window, its end as
    <name>_end.png."""
    os.makedirs(folder, exist_ok=True)
    driver.save_screenshot(os.path.join(folder, name + ".png"))
    if driver.execute_script("return document.body.scrollHeight > window.innerHeight;"):
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight);")
        driver.save_screenshot(os.path.join(folder, name + "_end.png"))
