"""nbgrader configuration for the course.

The course directory is the folder that holds this file, so `nbgrader` works from
any working directory, and a copy of the course (as the tests make) grades itself.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "rnn-course"
# Instructor notebooks (solutions, hidden tests, stored outputs) -> student notebooks.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
# Never copy caches or checkpoints into a release or a submission.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".DS_Store"]

# A cell may train a small model on a laptop CPU: give it minutes, not nbgrader's 30 s.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# Grading goes on past a learner's error, so every later exercise is still scored.
c.Execute.allow_errors = True

# A learner who deletes a test cell gets it back (and graded) instead of a
# "needs manual grading" flag; edited test cells are always overwritten.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
