"""The tasks of lessons 02-09, with their baselines, models and measurements.

- :mod:`~rnn_lib.tasks.forecasting` (02): baselines, metrics and the recursive and direct
  strategies for forecasts one step and several steps ahead.
- :mod:`~rnn_lib.tasks.experiments` (04, 05): fair, timed comparisons of recurrent layers.
- :mod:`~rnn_lib.tasks.comparison` (05): a learning rate per layer on validation data, several
  seeds scored on test data, their spread.
- :mod:`~rnn_lib.tasks.char_lm` (04): character-level language models: a held-out split,
  stateful tracks, sampling with temperature and top-k.
- :mod:`~rnn_lib.tasks.word_lm` (06): word-level next-word prediction, perplexity per epoch.
- :mod:`~rnn_lib.tasks.seq2seq` (06, 08): encoder-decoder toy tasks, teacher forcing, greedy
  decoding and beam search.
- :mod:`~rnn_lib.tasks.seq2seq_models` (06, 08): the GRU encoder-decoder as Keras models, with
  or without attention.
- :mod:`~rnn_lib.tasks.graded_models` (06-08): small fixed-weight models that graded cases name.
- :mod:`~rnn_lib.tasks.min_gru_models` (09): minGRU as a Keras layer (a parallel scan), stacked.
"""
