"""Hold-out and class weights, checked against counts done by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rnnclf.errors import InputError
from rnnclf.sampling import class_weights, hold_out


def test_balanced_weights_follow_sklearns_formula():
    # n_samples / (n_classes * count): 4 / (2 * 3) for the three negatives, 4 / (2 * 1) for the positive.
    np.testing.assert_allclose(class_weights(np.array([0, 0, 0, 1]), ["negative", "positive"], "balanced"), [4 / 6, 2.0])


def test_dict_weights_name_classes_and_default_to_one():
    np.testing.assert_allclose(class_weights(np.array([0, 1]), ["negative", "positive"], {"positive": 3}), [1.0, 3.0])
    np.testing.assert_allclose(class_weights(np.array([0, 1]), [1, 2], {"2": 0.5}), [1.0, 0.5])  # labels match as text
    assert class_weights(np.array([0, 1]), ["a", "b"], None) is None
    with pytest.raises(InputError, match=r"class_weight names label 'other', which is not among the classes \['negative', 'positive'\]"):
        class_weights(np.array([0, 1]), ["negative", "positive"], {"other": 3})


def test_hold_out_is_stratified_seeded_and_disjoint():
    texts = [f"text {index}" for index in range(40)]
    targets = np.array([0] * 30 + [1] * 10)
    train_texts, train_targets, held_texts, held_targets = hold_out(texts, targets, 0.25, seed=3)
    # 10 held out of 30:10 → shares 7.5 and 2.5: each class within half a text (plus rounding) of its share.
    assert len(held_texts) == 10 and all(abs(count - share) <= 0.5 for count, share in zip(np.bincount(held_targets), (7.5, 2.5)))
    assert sorted(train_texts + held_texts) == sorted(texts) and not set(train_texts) & set(held_texts)
    assert hold_out(texts, targets, 0.25, seed=3)[2] == held_texts


def test_hold_out_is_skipped_when_a_class_would_be_left_out():
    texts, targets = ["a", "b", "c"], np.array([0, 0, 1])
    assert hold_out(texts, targets, 0.5, seed=0) == (texts, targets, None, None)
