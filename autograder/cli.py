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

from autograder.errors import EXIT_FAILED_CHECKS, EXIT_GRADER, EXIT_OK, EXIT_USAGE, AutograderError, UsageError
from autograder.outputs.formats import EXPORT_FORMATS

EXIT_CODES = f"""exit codes:
  {EXIT_OK}  done, whatever the score
  {EXIT_FAILED_CHECKS}  `check` found a failed public check
  {EXIT_USAGE}  bad usage, or an input to fix (not a notebook, another lab's, an unknown lab, a misspelt setting)
  {EXIT_GRADER}  the grader itself failed (no kernel starts, the checks do not load)"""

EXAMPLES = {
    "release": """examples:
  autograder release                    every lab of the course: release/<lab>/ and solutions/<lab>/
  autograder release lab1_neuron --no-solutions""",
    "grade": """examples:
  autograder grade lab1_neuron solutions/lab1_neuron/lab1_neuron.ipynb    one notebook: a table of its checks
  autograder grade lab1_neuron alice.ipynb --json results.json
  autograder grade lab1_neuron --workers 2          every new or changed submission of submitted/
  autograder grade lab1_neuron --student alice bob --force
  autograder grade lab5_gan --cluster local:4       on a Dask LocalCluster of 4 workers""",
    "check": """examples (students; no course needed):
  autograder check lab1_neuron.ipynb    run the notebook and its public checks; the grader runs more""",
    "import": """examples:
  autograder import lab1_neuron canvas_submissions.zip --roster roster.csv
  autograder import lab1_neuron moodle.zip --replace     overwrite what submitted/ already holds""",
    "export": """examples:
  autograder export                       autograder_grades.csv: autograded, manual, late penalty, score
  autograder export --format canvas       export/canvas_grades.csv for Canvas's Grades > Import
  autograder export --format moodle       export/moodle/<lab>.csv, Moodle's grading worksheets
  autograder export --format report       class_report.md: the checks students fail""",
    "gradescope": """examples:
  autograder gradescope lab1_neuron       gradescope_lab1_neuron.zip, to upload as the autograder""",
    "similarity": """examples:
  autograder similarity lab3_backprop     similarity/similarity_lab3_backprop.html: the pairs that share code
  autograder similarity lab3_backprop --threshold 0.8 --with-answer-key""",
}


def first_examples() -> str:
    """The first example of each command, for `autograder --help`."""
    return "examples:\n" + "\n".join(text.splitlines()[1] for text in EXAMPLES.values())


def course_labs(argv: list[str]) -> str:
    """The labs of the course --config (or the default) names, for --help; "" when it cannot be read."""
    from autograder.course.config import find_config, load_config

    chosen = next((argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--config"), None)
    try:
        return "labs of the course: " + ", ".join(load_config(find_config(chosen)).autograder.labs)
    except Exception:  # help is shown whatever the configuration's state; `grade` says what is wrong with it
        return ""


def subcommand(commands, name: str, help: str, labs: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its examples, the course's labs and the exit codes."""
    epilog = "\n\n".join(part for part in (EXAMPLES.get(name, ""), labs, EXIT_CODES) if part)
    return commands.add_parser(
        name, help=help, description=help, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def parser(labs: str = "") -> argparse.ArgumentParser:
    """The command line; `labs` (the course's labs) goes into every --help."""
    from autograder import __version__

    main = argparse.ArgumentParser(
        prog="autograder",
        description="Release, grade and check the course's labs: `autograder COMMAND --help` for each.",
        epilog="\n\n".join(part for part in (first_examples(), labs, EXIT_CODES) if part),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--version", action="version", version=f"autograder {__version__}")
    main.add_argument(
        "--config",
        help="the course's course_config.py, or its folder (default: $AUTOGRADER_CONFIG, else the kit's own; never "
        "looked for in the working directory, and refused inside submitted/, autograded/, feedback/...)",
    )
    commands = main.add_subparsers(dest="command", required=True)

    release = subcommand(commands, "release", "make release/<lab>/ (student version) and solutions/<lab>/", labs)
    release.add_argument("labs", nargs="*", metavar="LAB", help="labs to release (default: all)")
    release.add_argument("--no-solutions", action="store_true", help="do not execute the answer keys")

    grade = subcommand(commands, "grade", "grade one notebook, or every submission of a lab", labs)
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
    grade.add_argument("--quiet", action="store_true", help="no progress bar, nor the stage of one NOTEBOOK's grading")
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

    check = subcommand(commands, "check", "run a notebook's public checks (for students)", labs)
    check.add_argument(
        "notebook",
        metavar="NOTEBOOK",
        help="a lab's notebook, as released (its lab_check.py beside it); no course_config.py is needed",
    )

    gradescope = subcommand(
        commands, "gradescope", "build the zip Gradescope takes as LAB's autograder (see the README)", labs
    )
    gradescope.add_argument("lab", metavar="LAB")
    gradescope.add_argument("--output", metavar="ZIP", help="where to write it (default: gradescope_<LAB>.zip)")
    gradescope.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without the sandbox in Gradescope's container (where it cannot start; the student's code can "
        "then read the hidden checks and forge its results: see the README)",
    )

    imports = subcommand(
        commands, "import", "an LMS's archive of submissions (Canvas, Moodle) into submitted/<student>/<lab>/", labs
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

    export = subcommand(
        commands, "export", "export grades from the gradebook, or the class report of failed checks", labs
    )
    export.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="csv")
    export.add_argument(
        "--output",
        help="file or folder; default: "
        + ", ".join(f"{name} {kind.default_output}" for name, kind in EXPORT_FORMATS.items()),
    )

    similarity = subcommand(
        commands, "similarity", "a report of the submissions of LAB that share their code (copied work)", labs
    )
    similarity.add_argument("lab", metavar="LAB")
    similarity.add_argument(
        "--threshold",
        type=float,
        metavar="T",
        help="show the pairs whose similarity (0 to 1) is at least T (default 0.5: see the README)",
    )
    similarity.add_argument(
        "--output", metavar="FOLDER", help="where to write similarity_<LAB>.html and .csv (default: similarity/)"
    )
    similarity.add_argument(
        "--with-answer-key",
        action="store_true",
        help="compare with the answer key (solutions/<LAB>/) too: submissions copied from a leaked key show up",
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
        from autograder.outputs.stage_line import StageLine

        stage = StageLine(shown=not args.quiet)
        try:
            graded = grade_one(settings, lab, args.notebook, sandbox=not args.no_sandbox, progress=stage)
        finally:
            stage.clear()
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

    # no course is needed (a student's install has none: config.NoCourse): the lab is read from the notebook
    try:
        run = run_public_checks(args.notebook, settings if settings.has_course else None)
    except SubmissionRejected as rejection:
        raise SubmissionRejected(f"{args.notebook}: {rejection}") from None
    print(printable(format_report(run)))
    return EXIT_OK if all(check.passed for check in run.checks) else EXIT_FAILED_CHECKS


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


def cmd_similarity(args, settings) -> int:
    from autograder.outputs.inert_output import printable
    from autograder.outputs.similarity import DEFAULT_THRESHOLD, similarity_report, write_report

    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    report = similarity_report(settings, args.lab, threshold, with_answer_key=args.with_answer_key)
    print("\n".join(report.lines()))  # each line made printable by the report
    page, table = write_report(report, args.output or "similarity")
    print(printable(f"report: {page}\nscores: {table}"))
    return EXIT_OK


COMMANDS = {
    "release": cmd_release,
    "grade": cmd_grade,
    "check": cmd_check,
    "import": cmd_import,
    "export": cmd_export,
    "gradescope": cmd_gradescope,
    "similarity": cmd_similarity,
}


def main(argv=None) -> int:
    """Run one command; the error tree (errors.py) decides the exit code, here and nowhere else."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # the course's labs are read for --help only: every other command starts without reading the configuration twice
    labs = course_labs(argv) if {"-h", "--help"} & set(argv) else ""
    args = parser(labs).parse_args(argv)
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
