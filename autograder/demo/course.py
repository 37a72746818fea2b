"""The demo (./demo.sh): a course in demo_course/, its labs released, example submissions graded.

It builds a course folder beside the kit, releases every lab into it with nbgrader, hands in the example
submissions of examples/<lab>.py (correct, buggy, broken) as nbgrader's submitted/<student>/<lab>/, grades
them all into the SQLite gradebook, exports the grades as CSV and the class report of failed checks, and says
where the feedback pages are.
"""

import argparse
import os
import shutil
import sys
import time

from autograder.course.config import load_config
from autograder.course.grade_class import grade_all
from autograder.course.labs import find_lab
from autograder.course.release import release_lab
from autograder.demo.examples import load_variants, write_variant
from autograder.outputs.class_report import write_class_report
from autograder.outputs.export import export_csv
from autograder.results import Results
from autograder.sandbox.backend import make_launcher

KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_WITH_KIT = ("source", "grading_tests", "examples", "data", "course_config.py")


def make_course(folder: str, lab_settings: dict | None = None, extra_config: str = "") -> None:
    """A fresh course folder: the kit's sources, checks and config linked in, everything else new. With
    `lab_settings` ({lab: {setting: value}}) or `extra_config` (lines of configuration), its course_config.py is a
    copy of the kit's that sets them too."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name in SHARED_WITH_KIT:
        os.symlink(os.path.join(KIT, name), os.path.join(folder, name))
    if lab_settings is not None or extra_config:
        config = os.path.join(folder, "course_config.py")
        os.unlink(config)
        shutil.copyfile(os.path.join(KIT, "course_config.py"), config)
        with open(config, "a", encoding="utf-8") as handle:
            if lab_settings is not None:
                handle.write(f"\nc.Autograder.lab_settings = {lab_settings!r}\n")
            handle.write(extra_config)


def hand_in(settings, lab: str) -> dict[str, str]:
    """Write each example as a submission; returns the description of each student's submission."""
    descriptions = {}
    for variant in load_variants(settings, lab):
        folder = settings.layout.submitted_dir(variant.student, lab)
        write_variant(settings, lab, variant, os.path.join(folder, lab + ".ipynb"))
        with open(os.path.join(folder, "timestamp.txt"), "w", encoding="utf-8") as handle:
            handle.write(time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime()))
        descriptions[variant.student] = variant.description
    return descriptions


def failed_checks(results: Results) -> str:
    """The failed checks and their reasons, in a few words."""
    failed = [test for test in results.tests if not test.passed]
    if results.rejected:
        return "not graded: " + results.rejected
    if len(failed) > 5:
        reasons = sorted({test.reason for test in failed})
        return f"{len(failed)} of {len(results.tests)} checks ({', '.join(reasons)})"
    return ", ".join(f"{test.check.split('::')[-1].removeprefix('test_')} ({test.reason})" for test in failed) or "-"


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--course", default=os.path.join(KIT, "demo_course"), help="where to build the course")
    args = options.parse_args(argv)
    make_course(args.course)
    settings = load_config(os.path.join(args.course, "course_config.py"))
    for lab_name in settings.autograder.labs:
        print(f"== releasing {lab_name} with nbgrader (student version and executed answer key)")
        release_lab(settings, lab_name)
        descriptions = hand_in(settings, lab_name)
        print(f"== grading {len(descriptions)} example submissions of {lab_name}")
        started = time.monotonic()
        workers = max(settings.autograder.workers, os.cpu_count() or 1)  # one submission per core at a time
        lab = find_lab(settings, lab_name)
        graded = grade_all(settings, lab, make_launcher(settings, lab), workers=workers)
        print(f"   {time.monotonic() - started:.1f} s in all\n")
        print(f"{'student':<9} {'score':>7}  {'submission':<75} failed checks (reason)")
        for student, results in graded.items():
            score = f"{results.score:g}/{results.max_score:g}"
            print(f"{student:<9} {score:>7}  {descriptions[student]:<75.75} {failed_checks(results)}")
    csv_path = settings.path("export", "autograder_grades.csv")
    os.makedirs(os.path.dirname(csv_path), exist_ok=True)
    export_csv(settings, csv_path)
    report_path = settings.path("export", "class_report.md")
    write_class_report(settings, report_path)
    print(f"\ngradebook:  {settings.db_url}")
    print(f"grades:     {csv_path}")
    print(f"report:     {report_path} (the checks students fail, most failed first)")
    layout = settings.layout
    print(f"feedback:   {layout.step_dir(layout.feedback)}/<student>/<lab>/<lab>.html")
    print(f"results:    {layout.step_dir(layout.autograded)}/<student>/<lab>/{layout.results_file} (Gradescope format)")
    print(f"nbgrader:   cd {args.course} && nbgrader export --NbGrader.config_file=course_config")
    return 0


if __name__ == "__main__":
    sys.exit(main())
