# The course's one configuration file, read by nbgrader and by the autograder alike.
# nbgrader:   nbgrader <command> --NbGrader.config_file=course_config   (nbgrader ignores --config)
# autograder: the file --config names, else $AUTOGRADER_CONFIG, else this kit's own course_config.py; never looked
#             for in the working directory, and refused inside submitted/, autograded/, feedback/, downloaded/ or
#             an exchange's inbound/ (reading a configuration runs it: a student's must never be read).
c = get_config()  # noqa: F821 (traitlets provides get_config)

# --- nbgrader ---------------------------------------------------------------------------------------------
c.CourseDirectory.course_id = "deep-learning-kit"
c.CourseDirectory.root = "."  # relative to this file
c.CourseDirectory.db_url = "sqlite:///gradebook.db"  # relative to the root; any SQLAlchemy URL works
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# nbgrader's autograde (formgrader's Autograde button, `nbgrader autograde`) grades through the kit, sandboxed:
# never nbgrader's own execution of a student's code (see autograder/course/nbgrader_autograde.py)
c.Autograde.sanitize_preprocessors = ["autograder.course.nbgrader_autograde.GradeInSandbox"]
c.Autograde.autograde_preprocessors = []
# nbgrader's generate_feedback (and formgrader's button) writes the kit's feedback page, with formgrader's scores
# and comments: one page per submission, which release_feedback carries (autograder/course/nbgrader_feedback.py)
c.GenerateFeedback.exporter_class = "autograder.course.nbgrader_feedback.FeedbackExporter"
c.GenerateFeedback.preprocessors = []
# Late submissions: nbgrader's own rule, applied by `autograder grade` against c.Autograder.due_dates below
# ("none": no penalty; "zero": a late submission scores 0; or c.AssignLatePenalties.plugin_class = your plugin)
c.LateSubmissionPlugin.penalty_method = "none"
c.HTMLExporter.sanitize_html = True  # formgrader and feedback: outputs' HTML sanitised, no JavaScript (not markdown)

# --- autograder ---------------------------------------------------------------------------------------------
c.Autograder.labs = [
    "lab1_neuron",
    "lab2_ann",
    "lab3_backprop",
    "lab4_mnist",
    "lab5_gan",
    "lab5_gan_keras",
    "lab6_dcgan_cgan",
]
c.Autograder.seed = 0
c.Autograder.due_dates = {}  # e.g. {"lab1_neuron": "2027-01-15 17:00"} (UTC unless an offset is given)
c.Autograder.dataset = "mnist"  # or "fashion-mnist" (installed by scripts/setup_env.sh): the data of lab4 and lab5
c.Autograder.cell_timeout = 30.0  # seconds per notebook cell
c.Autograder.check_timeout = 20.0  # seconds per hidden check (a check's time_limit marker may raise it)
c.Autograder.submission_timeout = 900.0  # seconds for one submission, all cells and checks together
# Kernels import a lab's `preload` modules while they boot, ahead of need (see autograder/kernel/pool.py).
c.Autograder.lab_settings = {
    # lab1's cells and checks take milliseconds: short limits make an infinite loop cheap to grade; its two plots
    # (of fixed functions) would double its grading time (0.7 s -> 1.3 s a submission), so they are not drawn
    "lab1_neuron": {
        "cell_timeout": 10.0,
        "check_timeout": 5.0,
        "preload": ["numpy", "matplotlib.pyplot"],
        "plots": False,
    },
    "lab2_ann": {"cell_timeout": 10.0, "check_timeout": 5.0, "preload": ["numpy", "matplotlib.pyplot"]},
    # torch._dynamo: the first torch optimizer imports it (about 1 s) unless the kernel did while it booted
    "lab3_backprop": {
        "cell_timeout": 30.0,
        "check_timeout": 10.0,
        "preload": ["numpy", "matplotlib.pyplot", "torch", "torch._dynamo"],
    },
    # training checks run for seconds (see grading_tests/lab4_mnist/test_fit.py for the reference's times)
    "lab4_mnist": {
        "cell_timeout": 60.0,
        "check_timeout": 20.0,
        "preload": ["numpy", "matplotlib.pyplot", "torch", "torch._dynamo", "torch.utils.data"],
    },
    # the sample checks train the student's GAN for 3,000 steps on a CPU (about a minute), 5,000 on a GPU;
    # require_gpu = True refuses to grade it on a machine without one; prefer_gpu sends it to the GPU workers of a
    # Dask cluster when it has some (`grade lab5_gan --cluster ...`)
    "lab5_gan": {
        "cell_timeout": 120.0,
        "check_timeout": 30.0,
        "require_gpu": False,
        "prefer_gpu": True,
        "preload": ["numpy", "matplotlib.pyplot", "torch", "torch._dynamo", "torch.utils.data"],
    },
    # TensorFlow (the kit pins tensorflow-cpu): always the CPU; the sample checks train 3,000 steps (about 35 s)
    "lab5_gan_keras": {
        "cell_timeout": 120.0,
        "check_timeout": 30.0,
        "preload": ["numpy", "matplotlib.pyplot", "tensorflow", "keras"],
    },
    # the sample checks train the student's DCGAN for 1,000 steps and the conditional GAN for 2,000 (about 25 s and
    # 70 s on one CPU thread); the notebook's own demonstrations are skipped while it is graded
    "lab6_dcgan_cgan": {
        "cell_timeout": 120.0,
        "check_timeout": 30.0,
        "require_gpu": False,
        "prefer_gpu": True,
        "preload": ["numpy", "matplotlib.pyplot", "torch", "torch._dynamo", "torch.utils.data"],
    },
}
