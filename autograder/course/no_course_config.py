# What config.find_config names where there is no course: a kit installed without a course_config.py of its own (a
# student's `pip install`), with no --config and no $AUTOGRADER_CONFIG. config.load_config never reads this file: it
# gives NoCourse for it, with which `autograder check` runs a notebook's public checks on the kit's defaults and
# every other command stops, saying how to name the course's course_config.py.
c = get_config()  # noqa: F821 (traitlets provides get_config)
