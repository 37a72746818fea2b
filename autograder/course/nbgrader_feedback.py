"""nbgrader's generate_feedback writes the kit's feedback page, so that a submission has one page, whoever wrote it.

course_config.py hands nbgrader's GenerateFeedback converter this exporter in place of its HTML one:

    c.GenerateFeedback.exporter_class = "autograder.course.nbgrader_feedback.FeedbackExporter"
    c.GenerateFeedback.preprocessors = []

`nbgrader generate_feedback` and formgrader's Generate Feedback button then render each autograded notebook
(the kit's, inert) into outputs/feedback.py's page, with the submission's results.json and the gradebook as
they are now: the scores and comments given in formgrader since the kit graded it. nbgrader writes the page
where `autograder grade` wrote it, copies timestamp.txt beside it, and `nbgrader release_feedback` carries it to
the student's `fetch_feedback`.
"""

from nbconvert.exporters import Exporter
from traitlets import Unicode, default

from autograder.course.nbgrader_autograde import course_config_path


class FeedbackExporter(Exporter):
    """The kit's feedback page of one autograded notebook (resources["nbgrader"] names the submission)."""

    output_mimetype = "text/html"
    course_config = Unicode(
        "", help="The course's course_config.py for the kit (default: course_config.py in CourseDirectory.root)."
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self):
        return ".html"

    def from_notebook_node(self, nb, resources=None, **kwargs):
        from autograder.course.config import load_config
        from autograder.outputs.feedback import render
        from autograder.outputs.gradebook import submission_grades
        from autograder.outputs.results import read_results

        nb, resources = super().from_notebook_node(nb, resources, **kwargs)
        lab, student = resources["nbgrader"]["assignment"], resources["nbgrader"]["student"]
        settings = load_config(course_config_path(self.course_config, self.config))
        results = read_results(settings.layout.results_path(student, lab))
        if results is None:
            raise RuntimeError(
                f"no results of the kit for {lab} of {student!r}: grade it with `autograder grade` first"
            )
        grades = submission_grades(settings, lab, resources["nbgrader"]["notebook"], student)
        return render(results, student, grades, nb), resources
