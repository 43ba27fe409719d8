"""``python -m course_tools autograde|check``: see :mod:`course_tools.grading`."""

import sys

from course_tools.grading import main

sys.exit(main())
