"""Sequences and text: windows, padding with masks, tokens, vocabularies, word pairs.

- :mod:`~rnn_lib.sequences.windows`: windowing a series; padding and truncation with masks.
- :mod:`~rnn_lib.sequences.text`: tokenising, vocabularies, integer encoding; the
  padding and unknown-word ids every vocabulary of the course shares.
- :mod:`~rnn_lib.sequences.word_pairs`: word pairs (bigrams) as extra ids, in NumPy
  and as a Keras layer.
- :mod:`~rnn_lib.sequences.perplexity`: perplexity, and the uniform, unigram and bigram
  yardsticks of a language model.
"""
