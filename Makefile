# The course's commands. Learners need two: `make lab` and `make test`.
# Everything runs inside .venv, which the first command creates.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Notebook kernels and nbgrader must find the venv's python first (the nbgrader
# command line runs no Python of ours before it starts kernels). Everything else a
# process needs, course_tools.environment sets.
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Override to work on some lessons only, e.g. `make solutions release LESSONS=04_lstm`.
LESSONS ?= $(notdir $(wildcard solutions/[0-9][0-9]_*))
# make autograde: submissions graded at once (one Dask worker process each)
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
NBVAL   := --nbval --nbval-current-env --nbval-sanitize-with tests/course/nbval_sanitize.cfg
# Three workers on the 2-core class: each lesson's round trips and typical mistakes form one
# xdist group (one worker, one grading kernel), and each notebook's nbval cells another
# (conftest.py). Every kernel computes on one thread, and a worker spends part of its time
# waiting (a kernel starting in its sandbox, a cell running into its timeout): a third worker
# fills those gaps. Measured on the 2-core class, the same suite: 9:41 with two, 8:48 with
# three, every test passing. TEST_WORKERS=2 make test for a smaller machine's memory.
TEST_WORKERS ?= 3
PYTEST  := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

.PHONY: sandbox lab site test nbval test-lesson lint check solutions release autograde feedback grades bench-notebooks bench-grading bench-adversarial bench-imdb bench-suite bench-claims clean help

help:
	@echo "make lab              open the lessons in JupyterLab (sets everything up first)"
	@echo "make test             run the whole test suite (sets everything up first)"
	@echo "make site             the course as a website in _build/html (Jupyter Book 2; needs Node.js)"
	@echo "make nbval            nbval on every solution notebook (part of make test)"
	@echo "make test-lesson LESSON=04_lstm   one lesson end to end: nbval, round trips, mistakes"
	@echo "make sandbox          install bubblewrap, the grading sandbox, if missing (needs root and apt-get)"
	@echo "make lint             ruff on the code, and the architecture contract (import-linter)"
	@echo "make solutions        re-execute solutions/ in place (stored outputs for nbval)"
	@echo "make release          regenerate lessons/ from solutions/ with nbgrader"
	@echo "make check LESSON=01_sequence_data   run a lesson's public tests; fails if one fails"
	@echo "make autograde        grade every notebook in submitted/ (JOBS=N at once, default: the cores;"
	@echo "                      SCHEDULER=tcp://host:8786 a Dask cluster; ONLY_NEW=1 resume; FULL=1 full size)"
	@echo "make feedback         HTML feedback for every graded submission (no hidden tests)"
	@echo "make grades           export the gradebook to grades.csv"
	@echo "make bench-notebooks  time every solution notebook (benchmarks/results/)"
	@echo "make bench-grading    what autograding costs on top of running a notebook (lesson 01)"
	@echo "make bench-adversarial every attack on every lesson: score given and deserved (sandbox)"
	@echo "make bench-imdb       train lesson 07's model at full size, two seeds averaged (about 10 minutes)"
	@echo "make bench-suite      make test's wall time against one bare run of every notebook (~15 min)"
	@echo "make bench-claims     re-run every lesson over 5 seeds and 1 thread; spread of each claim"
	@echo "make clean            remove grading artefacts (autograded/, feedback/, gradebook.db)"
	@echo "make help             this list"

# Re-install only when the dependency list changed (or the venv is new).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; set PYTHON=python3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Grading runs learner code in a bubblewrap sandbox (course_tools/sandbox.py). Installed
# here where missing and possible (root with apt-get, as on CI); elsewhere a note.
sandbox:
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; }; } || \
	  echo "note: bubblewrap is missing: make autograde will refuse to grade (README, Grading)"

# course_tools/lab.py holds the command line, which the browser test starts too.
lab: $(STAMP)
	$(BIN)/python -m course_tools.lab lessons/

# The course as a website: Jupyter Book 2 builds the pages, course_tools/site.py renders them
# (it says what is missing, e.g. Node.js). Open _build/html/index.html.
site: $(STAMP)
	$(BIN)/python -m course_tools.site

# One pytest run: the Python tests and nbval on every solution notebook, the slowest
# work handed out first. nbval runs each notebook whole on "another machine" (other
# seeds, one TensorFlow thread: conftest.py); the round trips grade as make autograde
# does (quick mode, up to the last graded cell). The 15 slowest tests are listed.
test: $(STAMP) sandbox
	$(PYTEST) --durations=15 $(NBVAL) tests solutions

nbval: $(STAMP)
	$(PYTEST) $(NBVAL) solutions

# A lesson author's inner loop: one lesson end to end (its nbval, the solution's round
# trip with every typical mistake, the blank release, the nbgrader cross-check).
test-lesson: $(STAMP)
	@test -n "$(LESSON)" || { echo "usage: make test-lesson LESSON=04_lstm"; exit 2; }
	$(PYTEST) --durations=5 $(NBVAL) tests/course/test_round_trips.py solutions/$(LESSON) \
	  -k "$(LESSON)"

lint: $(STAMP)
	$(BIN)/ruff check rnn_lib course_tools tests benchmarks solutions conftest.py nbgrader_config.py
	$(BIN)/lint-imports

# Stored outputs are what nbval compares against: run after editing a solution.
solutions: $(STAMP)
	$(BIN)/python -m course_tools.notebooks $(LESSONS)

release: $(STAMP)
	for lesson in $(LESSONS); do $(BIN)/nbgrader generate_assignment --force $$lesson || exit 1; done

# Learners: `make check LESSON=01_sequence_data` (nbgrader validate always exits 0; this does not).
LESSON ?=
check: $(STAMP)
	@test -n "$(LESSON)" || { echo "usage: make check LESSON=01_sequence_data"; exit 2; }
	$(BIN)/python -m course_tools check lessons/$(LESSON)/$(LESSON).ipynb

# Every submission in submitted/<student>/<lesson>/, in-process, one line per student.
autograde: $(STAMP) sandbox
	$(BIN)/python -m course_tools autograde --jobs $(JOBS) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) \
	  $(if $(ONLY_NEW),--only-new) $(if $(FULL),--full) $(LESSONS)

feedback: $(STAMP)
	for lesson in $(LESSONS); do \
	  if ls autograded/*/$$lesson >/dev/null 2>&1; then $(BIN)/nbgrader generate_feedback $$lesson || exit 1; fi; \
	done

grades: $(STAMP)
	$(BIN)/nbgrader export --to grades.csv
	@echo "wrote grades.csv"

bench-notebooks: $(STAMP)
	$(BIN)/python benchmarks/notebook_times.py $(LESSONS)

bench-grading: $(STAMP)
	$(BIN)/python benchmarks/grading_speed.py

bench-adversarial: $(STAMP)
	$(BIN)/python benchmarks/adversarial_matrix.py

bench-imdb: $(STAMP)
	$(BIN)/python benchmarks/imdb_benchmark.py

bench-suite: $(STAMP)
	$(BIN)/python benchmarks/suite_time.py

bench-claims: $(STAMP)
	$(BIN)/python benchmarks/claim_spread.py $(LESSONS)

clean:
	rm -rf autograded feedback gradebook.db .pytest_cache
