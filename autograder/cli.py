"""The command line: release, grade, check, import, export, gradescope (python -m autograder is the same).

Exit codes: 0 done (whatever the score), 2 bad usage or an input the user must fix, 3 the grader failed.
Heavy modules (nbgrader, pytest) are imported by the command that needs them, to keep start-up short.
What is printed passes through inert_output.printable: student names, grade ids, messages and tracebacks are
the student's text, and must not drive the instructor's terminal (titles, clipboard, overwritten lines).
"""

import argparse
import atexit
import os
import sys
import threading
import traceback

from autograder.errors import EXIT_FAILED_CHECKS, EXIT_GRADER, EXIT_OK, AutograderError, UsageError
from autograder.outputs.formats import EXPORT_FORMATS


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="autograder", description="Release, grade and check the course's labs.")
    main.add_argument(
        "--config",
        help="the course's course_config.py, or its folder (default: $AUTOGRADER_CONFIG, else the kit's own; never "
        "looked for in the working directory, and refused inside submitted/, autograded/, feedback/...)",
    )
    commands = main.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="make release/<lab>/ (student version) and solutions/<lab>/")
    release.add_argument("labs", nargs="*", metavar="LAB", help="labs to release (default: all)")
    release.add_argument("--no-solutions", action="store_true", help="do not execute the answer keys")

    grade = commands.add_parser("grade", help="grade one notebook, or every submission of a lab")
    grade.add_argument("lab", metavar="LAB")
    grade.add_argument("notebook", nargs="?", metavar="NOTEBOOK", help="one notebook (default: all of submitted/)")
    grade.add_argument("--json", metavar="PATH", help="write the results (Gradescope's results.json format)")
    grade.add_argument(
        "--force", action="store_true", help="grade again submissions already graded, even when nothing changed"
    )
    grade.add_argument(
        "--student",
        nargs="+",
        dest="students",
        metavar="S",
        help="only these students' submissions (graded when changed, as the others; with --force, in any case)",
    )
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument(
        "--workers", type=int, metavar="N", help="grade N submissions at once (default: c.Autograder.workers)"
    )
    grade.add_argument(
        "--cluster",
        metavar="WHERE",
        help="grade on a Dask cluster: local:N (N worker processes here) or a scheduler's address, e.g. "
        "tcp://host:8786 (default: c.Autograder.cluster; see the README's 'Grading at scale')",
    )
    grade.add_argument(
        "--no-sandbox", action="store_true", help="run kernels without the sandbox (only for submissions you trust)"
    )

    check = commands.add_parser("check", help="run a notebook's public checks (for students)")
    check.add_argument("notebook", metavar="NOTEBOOK")

    gradescope = commands.add_parser(
        "gradescope", help="build the zip Gradescope takes as LAB's autograder (see the README's 'Gradescope')"
    )
    gradescope.add_argument("lab", metavar="LAB")
    gradescope.add_argument("--output", metavar="ZIP", help="where to write it (default: gradescope_<LAB>.zip)")
    gradescope.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without the sandbox in Gradescope's container (where it cannot start; the student's code can "
        "then read the hidden checks and forge its results: see the README)",
    )

    imports = commands.add_parser(
        "import", help="an LMS's archive of submissions (Canvas, Moodle) into submitted/<student>/<lab>/"
    )
    imports.add_argument("lab", metavar="LAB")
    imports.add_argument("archive", metavar="ZIP", help="the LMS's download of the lab's submissions")
    imports.add_argument(
        "--roster", metavar="PATH", help="the roster (student,lms_id columns; default: c.Autograder.roster)"
    )
    imports.add_argument(
        "--replace", action="store_true", help="overwrite what submitted/<student>/<lab>/ already holds"
    )
    imports.add_argument(
        "--lms", choices=("canvas", "moodle"), help="the archive's LMS (default: told from its member names)"
    )

    export = commands.add_parser(
        "export", help="export grades from the gradebook, or the class report of failed checks"
    )
    export.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="csv")
    export.add_argument(
        "--output",
        help="file or folder; default: "
        + ", ".join(f"{name} {kind.default_output}" for name, kind in EXPORT_FORMATS.items()),
    )
    return main


def load_settings(args):
    """The course's settings from the configuration --config names (see config.find_config); exit 2 when it is
    missing or lies among student files."""
    from autograder.course.config import DEFAULT_CONFIG_NAME, find_config, load_config

    path = find_config(args.config)
    here = os.path.abspath(DEFAULT_CONFIG_NAME)
    if os.path.isfile(here) and not os.path.samefile(here, path):  # the course beside it is not the one graded
        print(f"autograder: using {path}, not ./{DEFAULT_CONFIG_NAME} (pass --config to choose)", file=sys.stderr)
    return load_config(path)


def cmd_release(args, settings) -> int:
    from autograder.course.release import release_lab

    labs = args.labs or settings.autograder.labs
    unknown = [lab for lab in labs if lab not in settings.autograder.labs]
    if unknown:
        raise UsageError(f"unknown lab(s): {', '.join(unknown)}")
    for lab in labs:
        release_lab(settings, lab, with_solution=not args.no_solutions)
        print(f"released {lab}: release/{lab}/" + ("" if args.no_solutions else f", solutions/{lab}/"))
    return EXIT_OK


def grade_on_a_cluster(args, settings, where: str) -> int:
    """`grade LAB --cluster WHERE`: the class graded by the cluster's workers (grading/cluster.py); this process
    starts no kernel, and writes the gradebook, results and feedback."""
    from autograder.course.grade_class import grade_all
    from autograder.course.labs import find_lab
    from autograder.grading.cluster import parse_cluster

    if args.notebook is not None or args.workers:
        raise UsageError(
            "--cluster grades the submissions of submitted/ on a Dask cluster: leave out NOTEBOOK and --workers"
        )
    target = parse_cluster(where)
    lab = find_lab(settings, args.lab, on_cluster=True)
    graded = grade_all(
        settings,
        lab,
        None,
        force=args.force,
        progress=not args.quiet,
        students=args.students,
        cluster=target,
        sandbox=not args.no_sandbox,
    )
    print_class_graded(settings, lab, graded)
    return EXIT_OK


def print_class_graded(settings, lab, graded) -> None:
    print(format_class_table(graded))
    layout = settings.layout
    print(
        f"\nresults: {layout.step_dir(layout.autograded)}/<student>/{lab.name}/; "
        f"feedback: {layout.step_dir(layout.feedback)}/"
    )


def cmd_grade(args, settings) -> int:
    from autograder.course.labs import find_lab

    if args.notebook is not None and args.students:
        raise UsageError("--student picks submissions of submitted/: leave it out when grading one NOTEBOOK")
    where = args.cluster or (settings.autograder.cluster if args.notebook is None and not args.workers else "")
    if where:
        return grade_on_a_cluster(args, settings, where)
    lab = find_lab(settings, args.lab)
    if args.notebook is not None:
        from autograder.grading.one_submission import grade_one
        from autograder.outputs.results import format_table, write_results

        graded = grade_one(settings, lab, args.notebook, sandbox=not args.no_sandbox)
        if args.json:
            write_results(args.json, graded.results)
        print(format_table(graded.results))
        return EXIT_OK
    from autograder.course.grade_class import grade_all
    from autograder.errors import SandboxUnavailable
    from autograder.sandbox.backend import make_launcher, refusal
    from autograder.sandbox.grader_limits import limit_grader_memory

    limit_grader_memory(lab.grader_memory_bytes)
    try:
        launcher = make_launcher(settings, lab, sandbox=not args.no_sandbox)
    except SandboxUnavailable as problem:
        raise refusal(problem) from None
    graded = grade_all(
        settings,
        lab,
        launcher,
        force=args.force,
        progress=not args.quiet,
        workers=args.workers or settings.autograder.workers,
        students=args.students,
    )
    print_class_graded(settings, lab, graded)
    return EXIT_OK


def format_class_table(graded: dict) -> str:
    """One line per student: name, score, and the reasons of the failed checks (or why it was not graded)."""
    from autograder.outputs.inert_output import printable_line

    lines = [f"{'student':<20} {'score':>9}  failed checks"]
    for student, results in graded.items():
        score = f"{results.score:g}/{results.max_score:g}"
        if results.late_penalty:
            score += f" (late: -{results.late_penalty:g})"
        lines.append(f"{printable_line(student):<20} {score:>9}  " + printable_line(results.failed_reasons()))
    return "\n".join(lines)


def cmd_check(args, settings) -> int:
    from autograder.errors import SubmissionRejected
    from autograder.grading.student_check import format_report, run_public_checks
    from autograder.outputs.inert_output import printable

    try:
        checks = run_public_checks(settings, args.notebook)
    except SubmissionRejected as rejection:
        raise SubmissionRejected(f"{args.notebook}: {rejection}") from None
    print(printable(format_report(checks)))
    return EXIT_OK if all(check.passed for check in checks) else EXIT_FAILED_CHECKS


def cmd_gradescope(args, settings) -> int:
    from autograder.course.config import find_config
    from autograder.course.labs import find_lab
    from autograder.gradescope.package import build_package

    lab = find_lab(settings, args.lab, on_cluster=True)  # graded in Gradescope's container, not here
    output = args.output or f"gradescope_{lab.name}.zip"
    package = build_package(settings, lab, find_config(args.config), output, sandbox=not args.no_sandbox)
    print(
        f"wrote {package.path}: {package.files} files, {package.bytes / 1e6:.1f} MB; upload it as the autograder "
        "of a Gradescope programming assignment (base image Ubuntu 22.04)"
    )
    return EXIT_OK


def cmd_import(args, settings) -> int:
    from autograder.course.lms_import import import_archive, report_path, write_report
    from autograder.course.roster import read_roster
    from autograder.outputs.inert_output import printable

    if args.lab not in settings.autograder.labs:
        raise UsageError(f"unknown lab {args.lab!r}; the course has: {', '.join(settings.autograder.labs)}")
    roster = read_roster(args.roster or settings.path(settings.autograder.roster))
    report = import_archive(settings, args.lab, args.archive, roster, replace=args.replace, lms=args.lms)
    print("\n".join(report.lines()))  # each line made printable by the report
    written = write_report(report, report_path(settings, args.lab))
    print(printable(f"report: {written}"))
    return EXIT_OK


def cmd_export(args, settings) -> int:
    print(EXPORT_FORMATS[args.format].write(settings, args.output))
    return EXIT_OK


COMMANDS = {
    "release": cmd_release,
    "grade": cmd_grade,
    "check": cmd_check,
    "import": cmd_import,
    "export": cmd_export,
    "gradescope": cmd_gradescope,
}


def main(argv=None) -> int:
    """Run one command; the error tree (errors.py) decides the exit code, here and nowhere else."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args)
        return COMMANDS[args.command](args, settings)
    except AutograderError as error:
        from autograder.outputs.inert_output import printable

        # the message says what to fix or what failed (a rejection quotes the submission: printable, never raw)
        print(printable(f"autograder: {error}"), file=sys.stderr)
        return getattr(error, "exit_code", EXIT_GRADER)
    except Exception as error:  # the grader's own failure: say so with the traceback, exit 3
        from autograder.outputs.inert_output import printable

        print(printable(traceback.format_exc()), end="", file=sys.stderr)
        print(printable(f"autograder: the grader failed: {error}"), file=sys.stderr)
        return EXIT_GRADER


def run() -> None:
    """The `autograder` command and `python -m autograder`: main(), then a quick exit.

    The interpreter's own exit tears down the 700 modules that grading imports, 80 ms of a 1.3 s `grade`.
    The exit handlers run and the output is flushed first, so skipping the teardown loses nothing; with other
    threads still running, the normal exit waits for them.
    """
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
