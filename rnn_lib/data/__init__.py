"""Data: where it lives, verified downloads, the real datasets and the seeded toy tasks.

- :mod:`~rnn_lib.data.home`: the data home (``$RNN_COURSE_DATA``) and quick mode.
- :mod:`~rnn_lib.data.download`: verified, atomic downloads with a progress bar.
- :mod:`~rnn_lib.data.datasets`: IMDB reviews, Tiny Shakespeare, the Mauna Loa CO2 series.
- :mod:`~rnn_lib.data.synthetic`: noisy sines, the adding problem, the copy task.
- :mod:`~rnn_lib.data.tagging`: sequence-labelling tasks with one label per step.
"""
