"""Interpretation: why a model answered as it did: per-token attribution and views inside the network.

Modules:
    engine        the model cut at the embedding, compiled once per classifier
    attribution   integrated gradients, gradient × input, gradient norm; :func:`explain`
    integrated_gradients  the adaptive step schedule and the completeness check
    perturbation  occlusion and LIME (model-agnostic scores)
    insight       prediction after each word, deletion curves, faithfulness
    analysis      one call that gathers all of it for a text (used by the app)
"""
