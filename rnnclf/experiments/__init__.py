"""Questions about models rather than about one text.

Modules:
    compare        SimpleRNN vs LSTM vs GRU (and a TF-IDF baseline) on one split, over seeds
    comparison_tables  mean ± std tables, accuracy by length and learning curves of a comparison
    gradient_flow  how the training signal decays with distance from the end of a text
    probes         synthetic memory tasks: one cue across distance; the first cue against later distractors
    probe_tables   the first-cue probe as a table of accuracy by distance, and in words
    runner         train one run from a dataset or CSV spec (what `rnnclf train` and the app do)
    presets        named training settings
"""
