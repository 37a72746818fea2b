"""Red team: hostile submissions, one per attack, graded in one batch in the sandbox.

Each attack is followed in the batch by the answer key (student "<attack>_ok"), which must still score full
marks. For each attack: it is contained (checked from outside: canaries, a listener, the outputs it printed),
its result carries the reason of what it did, and no process of the sandbox user is left afterwards.
"""

import json
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass

import nbformat
import pytest
from conftest import KIT, failed_checks

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab, resolve_lab
from autograder.demo.course import make_course
from autograder.demo.examples import Variant, write_variant
from autograder.sandbox.backend import make_launcher

SECRET_ENV = "AUTOGRADER_RED_TEAM_SECRET"
ACTIVATION_CHECKS = ("values", "on_arrays")


def replace_body(function: str, body: str):
    """An edit of the answer key's activations cell: `function`'s solution body becomes `body`."""
    bodies = {
        "step": "    return np.where(x >= 0, 1.0, 0.0)",
        "sigmoid": "    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
        "tanh": "    return np.tanh(x)",
        "relu": "    return np.maximum(0.0, x)",
        "leaky_relu": "    return np.where(x >= 0, x, alpha * x)",
    }
    return {"activations": [(bodies[function], body)]}


def both(function: str, reason: str) -> dict:
    return {f"test_{function}_{kind}": reason for kind in ACTIVATION_CHECKS}


def attacks(course: str, port: int) -> list[Variant]:
    kit = KIT
    return [
        Variant(
            "network",
            "connects to a listener on the grader's loopback and lists its interfaces",
            extra_cells=(
                "import socket\n"
                f"for host in ('127.0.0.1', 'localhost'):\n"
                "    try:\n"
                f"        socket.create_connection((host, {port}), timeout=2).sendall(b'leak'); print('CONNECTED', host)\n"
                "    except OSError as error:\n"
                "        print('blocked', host, type(error).__name__)\n"
                "print('INTERFACES', [name for _, name in socket.if_nameindex()])",
            ),
        ),
        Variant(
            "read_secrets",
            "reads hidden checks, solutions, the config, the gradebook and other submissions",
            extra_cells=(
                "import glob\n"
                f"targets = glob.glob({kit!r} + '/**/*.py', recursive=True) + [\n"
                f"    {kit!r} + '/grading_tests/lab1_neuron/test_logic_gates.py', {kit!r} + '/course_config.py',\n"
                f"    {kit!r} + '/solutions/lab1_neuron/lab1_neuron.ipynb', {course!r} + '/gradebook.db',\n"
                f"    {course!r} + '/submitted/read_secrets_ok/lab1_neuron/lab1_neuron.ipynb', '/root/.bashrc', '/etc/shadow',\n"
                "    'data/reference_classifier/classifier.pt']  # the GAN checks' judge: hidden like the checks\n"
                "for path in targets:\n"
                "    try:\n"
                "        print('READ', path, open(path, 'rb').read(200))\n"
                "    except OSError as error:\n"
                "        print('blocked', path, type(error).__name__)\n"
                "print('LISTED', glob.glob('/work/**', recursive=True)[:50], glob.glob('/home/**', recursive=True))",
            ),
        ),
        Variant(
            "write_outside",
            "writes files into the kit, the course, the course's data, /work and the run folder",
            extra_cells=(
                "import json, os\nimport ipykernel.connect as connect\n"
                f"for path in [{kit!r} + '/PWNED', {course!r} + '/PWNED', {course!r} + '/autograded/PWNED', '/work/PWNED',\n"
                "             '/usr/PWNED', '/etc/PWNED', '/PWNED', 'data/PWNED', 'data/mnist/PWNED',\n"
                "             os.path.dirname(json.load(open(connect.get_connection_file()))['ip']) + '/PWNED']:\n"
                "    try:\n"
                "        open(path, 'w').write('pwned'); print('WROTE', path)\n"
                "    except OSError as error:\n"
                "        print('blocked', path, type(error).__name__)\n"
                "open('mine.txt', 'w').write('my own scratch file is fine')",
            ),
        ),
        Variant(
            "fork_bomb",
            "tanh forks without end",
            edits=replace_body(
                "tanh",
                "    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass",
            ),
            loses=both("tanh", "timeout"),
        ),
        Variant(
            "memory_bomb",
            "relu builds a 6 GiB string",
            edits=replace_body("relu", "    hog = b'x' * (6 * 2**30)\n    return np.maximum(0.0, x)"),
            loses=both("relu", "memory"),
        ),
        Variant(
            "cpu_loop",
            "sigmoid spins forever",
            edits=replace_body("sigmoid", "    while True:\n        pass"),
            loses={**both("sigmoid", "timeout"), "test_sigmoid_extremes_without_overflow": "timeout"},
        ),
        Variant(
            "c_loop",
            "tanh runs a C loop that never looks at interrupts",
            edits=replace_body("tanh", "    sum(range(10**13))\n    return np.tanh(x)"),
            loses=both("tanh", "timeout"),
        ),
        Variant(
            "stdout_flood",
            "leaky_relu prints without end",
            edits=replace_body("leaky_relu", "    while True:\n        print('flood' * 2000)"),
            loses=both("leaky_relu", "output limit"),
        ),
        Variant(
            "exits",
            "step kills its parent and its process group; a cell calls sys.exit",
            edits=replace_body(
                "step",
                "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    os.killpg(0, signal.SIGKILL)",
            ),
            extra_cells=("import sys\nsys.exit(0)",),
            # xor runs the gates, which run step: it kills the kernel too
            loses={
                "test_step_is_one_at_zero": "kernel died",
                **both("step", "kernel died"),
                "test_xor_truth_table": "kernel died",
            },
        ),
        Variant(
            "daemon",
            "a detached daemon waits for the grader to finish, then rewrites results",
            extra_cells=(
                "import os, time\n"
                "if os.fork() == 0:\n"
                "    os.setsid()\n"
                "    if os.fork() == 0:\n"
                "        time.sleep(4)\n"
                f"        for path in [{course!r} + '/autograded/daemon/lab1_neuron/results.json', 'results.json']:\n"
                "            try:\n"
                "                open(path, 'w').write('{\"score\": 999}')\n"
                "            except OSError:\n"
                "                pass\n"
                "    os._exit(0)\n"
                "print('daemon started')",
            ),
        ),
        Variant(
            "proc_snoop",
            "reads the command lines and environments of every process it can see",
            extra_cells=(
                "import os\n"
                "for pid in sorted(p for p in os.listdir('/proc') if p.isdigit()):\n"
                "    for name in ('cmdline', 'environ'):\n"
                "        try:\n"
                "            print('PROC', pid, name, open(f'/proc/{pid}/{name}', 'rb').read().replace(b'\\0', b' ')[:3000])\n"
                "        except OSError as error:\n"
                "            print('blocked', pid, name, type(error).__name__)",
            ),
        ),
        Variant(
            "monkeypatch",
            "the stub, with the kernel's JSON encoder patched to answer True to every request",
            base="release",
            extra_cells=(
                "import json\n"
                "_dumps = json.dumps\n"
                "def rigged(value, *args, **kwargs):\n"
                "    if isinstance(value, dict) and 'nonce' in value:\n"
                "        value = {'nonce': value['nonce'], 'value': True}\n"
                "    return _dumps(value, *args, **kwargs)\n"
                "json.dumps = rigged\n"
                "import IPython.display as display\n"
                "_publish = display.publish_display_data\n"
                "display.publish_display_data = lambda data, *a, **k: _publish({key: value for key, value in data.items()}, *a, **k)",
            ),
            loses={},  # filled in below: every check
        ),
        Variant(
            "fake_results",
            "the stub, printing a perfect results.json and publishing forged answers",
            base="release",
            extra_cells=(
                "import json, os\n"
                "fake = {'score': 20, 'max_score': 20, 'tests': [{'name': 'all', 'status': 'passed', 'score': 20}]}\n"
                "print(json.dumps(fake))\n"
                "from IPython.display import publish_display_data\n"
                "publish_display_data({'application/vnd.autograder.value+json': json.dumps({'nonce': 'x', 'value': 1})})\n"
                "for path in ['results.json', '/autograder/results/results.json', '../results.json']:\n"
                "    try:\n"
                "        open(path, 'w').write(json.dumps(fake))\n"
                "    except OSError:\n"
                "        pass",
            ),
            loses={},  # every check
        ),
        Variant(
            "socket_swap",
            "replaces the kernel's own sockets with links",
            extra_cells=(
                "import glob, json, os\n"
                "info = json.load(open(__import__('ipykernel.connect', fromlist=['_']).get_connection_file()))\n"
                "for path in glob.glob(info['ip'] + '-*'):\n"
                "    try:\n"
                "        os.unlink(path); os.symlink('/tmp/evil', path); print('SWAPPED', path)\n"
                "    except OSError as error:\n"
                "        print('blocked', path, type(error).__name__)",
            ),
        ),
        Variant(
            "kernel_name",
            "asks for another kernel in its metadata",
            extra_cells=("import os\nprint('UID', os.getuid())",),
        ),
    ]


@dataclass
class RedTeam:
    settings: object
    variants: dict  # student -> Variant
    graded: dict  # student -> results
    connections: list  # what reached the loopback listener
    finished: float  # time.time() at the end of the batch
    before: dict  # sandbox processes alive before the batch (other tests' pools)


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the grader's loopback that records every connection it gets."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connections.append(server.accept())
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def red_team(tmp_path_factory, listener):
    """The batch: every attack then the answer key, graded in the sandbox with short time limits."""
    port, connections = listener
    folder = str(tmp_path_factory.mktemp("red_team") / "course")
    make_course(folder, {"lab1_neuron": {"cell_timeout": 4.0, "check_timeout": 3.0}})
    settings = load_config(os.path.join(folder, "course_config.py"))
    from autograder.course.release import release_lab

    release_lab(settings, "lab1_neuron", with_solution=True)
    variants = attacks(folder, port)
    for variant in variants:
        path = settings.path("submitted", variant.student, "lab1_neuron", "lab1_neuron.ipynb")
        write_variant(settings, "lab1_neuron", variant, path)
        write_variant(
            settings,
            "lab1_neuron",
            Variant(variant.student + "_ok", "the answer key"),
            settings.path("submitted", variant.student + "_ok", "lab1_neuron", "lab1_neuron.ipynb"),
        )
    kernel_name_path = settings.path("submitted", "kernel_name", "lab1_neuron", "lab1_neuron.ipynb")
    nb = nbformat.read(kernel_name_path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3-unsandboxed", "display_name": "evil", "language": "python"}
    nbformat.write(nb, kernel_name_path)
    before = sandbox_processes(settings)  # kernels that other tests launched ahead, in their own pools
    os.environ[SECRET_ENV] = "the-grader's-secret"
    try:
        graded = grade_all(
            settings,
            find_lab(settings, "lab1_neuron"),
            make_launcher(settings, resolve_lab(settings, "lab1_neuron")),
            progress=False,
        )
    finally:
        del os.environ[SECRET_ENV]
    return RedTeam(
        settings,
        {variant.student: variant for variant in variants},
        {student: results.to_json() for student, results in graded.items()},
        connections,
        time.time(),
        before,
    )


def outputs_of(settings, student: str) -> str:
    """Everything the submission's cells printed during grading."""
    nb = nbformat.read(settings.path("autograded", student, "lab1_neuron", "lab1_neuron.ipynb"), as_version=4)
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts.append(
                output.get("text", "") if output.output_type == "stream" else json.dumps(output.get("data", {}))
            )
    return "\n".join(texts)


ATTACKS = [variant.student for variant in attacks("course", 1)]
EVERY_CHECK_FAILS = {"monkeypatch", "fake_results"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_gets_exactly_the_reasons_of_what_it_did(red_team, attack):
    results = red_team.graded[attack]
    if attack in EVERY_CHECK_FAILS:
        assert results["score"] == 0, f"{attack}: a stub scores 0 whatever it forges, got {results['score']}"
    else:
        assert failed_checks(results) == red_team.variants[attack].loses, f"{attack}: failed {failed_checks(results)}"


@pytest.mark.parametrize("attack", ATTACKS)
def test_answer_key_graded_right_after_the_attack_scores_full_marks(red_team, attack):
    results = red_team.graded[attack + "_ok"]
    assert results["score"] == results["max_score"] == 22, f"after {attack}: {failed_checks(results)}"


def test_network_is_unreachable(red_team):
    printed = outputs_of(red_team.settings, "network")
    assert red_team.connections == [], "nothing reached the grader's loopback listener"
    assert "CONNECTED" not in printed and "INTERFACES ['lo']" in printed, printed


def test_hidden_files_cannot_be_read(red_team):
    printed = outputs_of(red_team.settings, "read_secrets")
    read = [line for line in printed.splitlines() if line.startswith("READ ")]
    assert not read, f"the sandbox let a file through: {read[:5]}"
    assert "truth table says" not in printed and "grading_tests" not in printed.split("blocked")[0]


def test_nothing_is_written_outside_the_scratch_folder(red_team):
    printed = outputs_of(red_team.settings, "write_outside")
    written = [line.split(" ", 1)[1] for line in printed.splitlines() if line.startswith("WROTE ")]
    # a kit checked out under /tmp (as CI does) has its path inside the sandbox's own private /tmp
    assert all(path.startswith("/tmp/") for path in written), f"written outside the sandbox's scratch: {written}"
    for path in written + [os.path.join(KIT, "PWNED"), red_team.settings.path("PWNED"), "/work/PWNED", "/usr/PWNED"]:
        assert not os.path.exists(path), f"{path} was written on the grader's machine"


def test_the_daemon_is_gone_and_results_stay_as_graded(red_team):
    time.sleep(max(0.0, red_team.finished + 6 - time.time()))
    path = red_team.settings.path("autograded", "daemon", "lab1_neuron", "results.json")
    assert json.load(open(path, encoding="utf-8"))["score"] == red_team.graded["daemon"]["score"] == 22


def sandbox_processes(settings) -> dict[int, str]:
    listed = subprocess.run(["pgrep", "-u", settings.autograder.sandbox_user, "-a"], capture_output=True, text=True)
    return {int(line.split()[0]): line for line in listed.stdout.splitlines()}


def test_no_process_of_the_sandbox_user_is_left(red_team):
    left = {pid: line for pid, line in sandbox_processes(red_team.settings).items() if pid not in red_team.before}
    assert not left, f"processes left behind: {list(left.values())}"


def test_other_processes_and_the_graders_environment_are_invisible(red_team):
    printed = outputs_of(red_team.settings, "proc_snoop")
    assert SECRET_ENV not in printed and "pytest" not in printed and "grading_tests" not in printed, printed[:3000]


def test_sockets_cannot_be_swapped(red_team):
    printed = outputs_of(red_team.settings, "socket_swap")
    assert "SWAPPED" not in printed and "PermissionError" in printed, printed
    assert red_team.graded["socket_swap"]["score"] == 22


def test_kernel_name_in_metadata_does_not_escape_the_sandbox(red_team):
    import pwd

    uid = pwd.getpwnam(red_team.settings.autograder.sandbox_user).pw_uid
    assert f"UID {uid}" in outputs_of(red_team.settings, "kernel_name"), "the kernel ran as the sandbox user"
