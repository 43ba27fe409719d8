"""rnn_lib: everything the RNN course's notebooks need, in one importable place.

One module per concern, grouped by layer; import what you need, e.g.
``from rnn_lib.sequences.windows import make_windows``. Each module's docstring opens
with the lessons that use it. Importing any of them is cheap: nothing pulls in
TensorFlow until a function that needs it is called.

The grading and CI tooling (nbgrader extensions, notebook execution, temporary
courses for the tests) lives beside it in ``course_tools``; nothing here imports it.
The packages form layers (``pyproject.toml``'s import-linter contract, checked by
``make lint`` and the tests): a package imports only from the layers below it.

Packages, highest layer first:
    imdb           lesson 07's pipeline, one small module per step:
      config         hyperparameters and the baselines' options
      split          the seeded validation split and subsets
      vectorize      raw reviews to post-padded token ids
      batching       length-bucketed batches
      model          word (and word-pair) vectors, a bidirectional GRU, masked pooling
      training       early stopping, a decaying learning rate, seed ensembles
      baselines      the majority class, bag-of-words logistic regressions
      evaluation     predictions, accuracy, confusion matrix, confident mistakes
      word_vectors   an LSTM matched to the GRU's recurrent budget, cosine neighbours,
                     principal components of the trained word vectors

    tasks          the tasks of lessons 02-09:
      forecasting    baselines, metrics and the recursive and direct strategies for
                     forecasting one step and several steps ahead (02)
      experiments    fair, timed comparisons of recurrent layers (04, 05)
      comparison     a learning rate per layer on validation data, seeds on test data (05)
      char_lm        character-level language models: held-out perplexity, stateful
                     tracks, sampling with temperature and top-k (04)
      seq2seq        encoder-decoder toy tasks, teacher forcing, greedy decoding (06),
                     beam search (08)
      seq2seq_models the GRU encoder-decoder as Keras models, with or without attention (06, 08)
      min_gru_models minGRU as a Keras layer trained with a parallel scan, and stacked (09)
      graded_models  small fixed-weight models that graded cases name (06-08)
      word_lm        word-level language models: splits by words, vocabulary, windows,
                     per-epoch perplexity, top-k next words (06)

    layers         the recurrent layers from scratch (NumPy, forward/backward with caches):
      activations    tanh and sigmoid with their derivatives
      params         parameter dicts and their gradient accumulators
      masking        the masks the three layers share
      simple_rnn     the Elman RNN layer
      lstm           the LSTM layer
      gru            the GRU layer, both ``reset_after`` variants
      keras_weights  weights to and from the Keras layers
      gradcheck      finite-difference gradient checks
      clipping       gradient clipping by value and by global norm
      gradient_flow  vanishing and exploding gradients, measured
      attention      masked softmax, dot-product and additive scores, the context (08)
      scan           linear recurrences: the loop, the associative operator, scans, log space (09)
      min_gru        minGRU: the step, the loop and the scan, the paper's log-space form (09)
    sequences      sequences and text:
      windows        windowing a series, padding and truncation with masks
      text           tokenising, vocabularies, integer encoding, the special ids
      word_pairs     word pairs (bigrams) as extra ids, in NumPy and as a Keras layer
      perplexity     perplexity, and the uniform, unigram and bigram yardsticks (04, 06)
    data           data:
      home           where data lives (``RNN_COURSE_DATA``) and the quick-mode switch
      download       verified, atomic downloads with a progress bar
      datasets       IMDB reviews, Tiny Shakespeare, the Mauna Loa CO2 series
      synthetic      seeded toy tasks: noisy sines, the adding problem, the copy task
      tagging        seeded sequence-labelling tasks (one label per step)

    notebook       what every lesson uses (``from rnn_lib.notebook import setup_notebook``):
      setup          the locked set-up cell: seeds, quiet TensorFlow, plot defaults
      claims         machine-dependent figures printed as "≈0.952", their claims asserted
      timing         a wall-clock timer whose printout nbval knows to ignore
      plots          the plots the lessons draw more than once
      cases          graded cases: the hidden tests' calls, probed in the kernel, judged outside
      explain        what a public test was calling when the learner's code raised
      stand_ins      stand-ins for earlier exercises, so one mistake costs one exercise
"""

__version__ = "0.1.0"
