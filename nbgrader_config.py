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
# The exchange (nbgrader's release/submit service) is not used: keep it inside the course.
c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")
# Never copy caches or checkpoints into a release or a submission.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".DS_Store"]

# Grading runs notebooks with course_tools.nbgrader_plugins.ResilientExecute instead of nbgrader's
# Execute: a dead or runaway kernel is restarted (earlier cells replayed) and grading
# goes on, and each cell's output is capped while it arrives. Graded cells' stderr
# is shown as stdout, so a warning never zeroes a correct answer.
c.Autograde.autograde_preprocessors = [
    "course_tools.nbgrader_plugins.ResilientExecute",
    "course_tools.nbgrader_plugins.StderrToStdout",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Every grading kernel runs in a sandbox (course_tools.sandbox: bubblewrap and a control
# group): no network, no view of solutions/, the gradebook or other submissions, a
# read-only Python and rnn_lib, limits on memory and processes.
c.ResilientExecute.kernel_manager_class = "course_tools.sandbox.SandboxedKernelManager"
# A cell may train a small model on a laptop CPU: give it minutes, not nbgrader's 30 s.
# (Both executors keep going past a learner's error, so every later exercise is scored.)
for executor in (c.Execute, c.ResilientExecute):
    executor.timeout = 300
    executor.interrupt_on_timeout = True
    # nbgrader raises when a cell's last output arrives more than iopub_timeout seconds
    # after the kernel's reply, and that error aborts the whole notebook's grading.
    # nbclient's 4 s default was too short on a loaded 2-core machine (a full-size
    # lesson 07 run, one TensorFlow thread, beside another job): give it a minute.
    executor.iopub_timeout = 60

# Feedback shows scores and public test messages, never the hidden tests' source.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_tools.nbgrader_plugins.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# A learner who deletes a test cell gets it back (and graded) instead of a
# "needs manual grading" flag; edited test cells are always overwritten.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
