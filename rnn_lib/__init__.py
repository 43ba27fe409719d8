"""rnn_lib: everything the RNN course's notebooks need, in one importable place.

One module per concern; import what you need, e.g. ``from rnn_lib.sequences import
make_windows``. Importing ``rnn_lib`` itself is cheap: nothing here pulls in
TensorFlow until a function that needs it is called.

The grading and CI tooling (nbgrader extensions, notebook execution, temporary
courses for the tests) lives beside it in ``course_tools``; nothing here imports it.

Modules:
    Set-up and data
    notebook       set-up for a lesson: seeds, quiet TensorFlow, plot defaults.
    datahome       where data lives (``RNN_COURSE_DATA``) and the quick-mode switch.
    download       verified, atomic downloads with a progress bar.
    datasets       real data: IMDB reviews, Tiny Shakespeare, the Mauna Loa CO2 series.
    synthetic      seeded toy tasks: noisy sines, the adding problem, the copy task.
    tagging        seeded sequence-labelling tasks (one label per step).
    sequences      windowing a series, padding and truncation with masks.
    text           tokenising, vocabularies, integer encoding.
    word_pairs     word pairs (bigrams) as extra ids, in NumPy and as a Keras layer.

    Recurrent layers from scratch (NumPy, forward/backward pairs with caches)
    activations    tanh and sigmoid with their derivatives.
    masking        masks and parameter dicts shared by the three layers.
    simple_rnn     the Elman RNN layer.
    lstm           the LSTM layer.
    gru            the GRU layer, both ``reset_after`` variants.
    keras_weights  moving weights between Keras layers and the NumPy layers.
    gradcheck      finite-difference gradient checks.
    clipping       gradient clipping by value and by global norm.
    gradient_flow  vanishing and exploding gradients, measured.

    Models and experiments
    forecasting    baselines and metrics for one-step-ahead forecasting.
    experiments    fair, timed comparisons of recurrent layers on one task.
    char_lm        character-level language models: pairs, sampling with temperature.
    seq2seq        encoder-decoder toy tasks, teacher forcing, greedy decoding.
    sentiment      lesson 07's IMDB pipeline, model, baselines and error analysis.

    Notebook support
    plotting       the few plots the lessons draw again and again.
    timing         a wall-clock timer whose printout nbval knows to ignore.
    claims         figures that vary between machines: printed as "≈0.952", their
                   claims asserted (and logged for the seed-spread benchmark).
"""

__version__ = "0.1.0"
