"""rnn_lib: everything the RNN course's notebooks need, in one importable place.

One module per concern; import what you need, e.g. ``from rnn_lib.sequences import
make_windows``. Importing ``rnn_lib`` itself is cheap: nothing here pulls in
TensorFlow until a function that needs it is called.

Modules:
    notebook      set-up for a lesson: seeds, quiet TensorFlow, plot defaults.
    datahome      where data lives (``RNN_COURSE_DATA``) and the quick-mode switch.
    download      verified, atomic downloads with a progress bar.
    datasets      real data: IMDB reviews, Tiny Shakespeare, the Mauna Loa CO2 series.
    synthetic     seeded toy tasks: noisy sines, the adding problem, the copy task.
    sequences     windowing a series, padding and truncation with masks.
    text          tokenising, vocabularies, integer encoding.
    plotting      the few plots the lessons draw again and again.
    timing        a wall-clock timer whose printout nbval knows to ignore.
"""

__version__ = "0.1.0"
