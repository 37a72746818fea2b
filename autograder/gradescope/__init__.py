"""A Gradescope autograder of a lab: `autograder gradescope LAB` builds the zip (package.py) whose run_autograder
grades each submission with the kit inside Gradescope's container (run.py) and writes results.json with
Gradescope's visibility settings (results.py)."""
