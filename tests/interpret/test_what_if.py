"""What-if editing: one word removed or replaced, the rest of the text untouched."""

import numpy as np
import pytest

from rnnclf.errors import InputError
from rnnclf.interpret.insight import what_if


def test_removing_the_marker_word_and_replacing_it(trained_gru):
    removed = what_if(trained_gru, "the day was zing", 3)
    assert removed.tokens_before == ["the", "day", "was", "zing"] and removed.tokens_after == ["the", "day", "was"]
    assert removed.inserted == [] and removed.predicted_before == "positive"
    np.testing.assert_allclose(removed.before, trained_gru.predict_proba(["the day was zing"])[0], atol=1e-5)
    np.testing.assert_allclose(removed.after, trained_gru.predict_proba(["the day was"])[0], atol=1e-5)
    replaced = what_if(trained_gru, "the day was zing", 3, "blorp qwxyz")
    assert replaced.tokens_after == ["the", "day", "was", "blorp", "qwxyz"]
    assert replaced.inserted_unknown == ["qwxyz"] and replaced.predicted_after == "negative"
    np.testing.assert_allclose(replaced.after, trained_gru.predict_proba(["the day was blorp qwxyz"])[0], atol=1e-5)
    assert replaced.to_dict()["predicted_after"] == "negative"


def test_bad_edits_say_what_to_do(trained_gru):
    with pytest.raises(InputError, match="^Received: position=4; the model read 2 tokens, so pick a position from 0 to 1.$"):
        what_if(trained_gru, "zing day", 4)
    with pytest.raises(InputError, match="^Removing the only word leaves nothing to classify"):
        what_if(trained_gru, "zing", 0)
    with pytest.raises(InputError, match="^The text is empty"):
        what_if(trained_gru, " ", 0)
