"""LazyAdam against a reference update computed by hand with NumPy."""

from __future__ import annotations

import numpy as np
import pytest

LR, B1, B2, EPS = 0.1, 0.9, 0.999, 1e-7


def reference_lazy_adam(initial, steps):
    """Adam applied row by row, only to the rows a step's sparse gradient touches.

    ``steps`` is a list of ``(rows, values)``; a row listed twice in one step has its
    gradients summed first. Moments of untouched rows neither decay nor change.
    """
    weights = initial.astype("float64").copy()
    momentum, velocity = np.zeros_like(weights), np.zeros_like(weights)
    for step, (rows, values) in enumerate(steps, start=1):
        gradient = {}
        for row, value in zip(rows, values):
            gradient[row] = gradient.get(row, 0) + np.asarray(value, dtype="float64")
        alpha = LR * np.sqrt(1 - B2**step) / (1 - B1**step)
        for row, value in gradient.items():
            momentum[row] = B1 * momentum[row] + (1 - B1) * value
            velocity[row] = B2 * velocity[row] + (1 - B2) * value**2
            weights[row] -= alpha * momentum[row] / (np.sqrt(velocity[row]) + EPS)
    return weights, momentum, velocity


def test_lazy_adam_matches_the_hand_computed_update_and_leaves_other_rows_alone():
    import keras
    import tensorflow as tf

    from rnnclf.optimizers import LazyAdam

    initial = np.arange(12, dtype="float32").reshape(6, 2) / 10
    steps = [
        ([1, 3, 1], [[0.5, -1.0], [2.0, 0.25], [0.5, 0.5]]),  # row 1 twice: summed to [1.0, -0.5]
        ([3, 4], [[-1.0, 1.0], [0.1, 0.2]]),  # row 1 untouched now: its moments must not decay
    ]
    variable = keras.Variable(initial)
    optimizer = LazyAdam(learning_rate=LR, beta_1=B1, beta_2=B2, epsilon=EPS)
    optimizer.build([variable])
    for rows, values in steps:
        gradient = tf.IndexedSlices(tf.constant(values, dtype="float32"), tf.constant(rows, dtype="int64"), tf.constant(initial.shape, dtype="int64"))
        optimizer.apply_gradients([(gradient, variable)])

    expected, expected_momentum, expected_velocity = reference_lazy_adam(initial, steps)
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(optimizer._momentums[0].numpy(), expected_momentum, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(optimizer._velocities[0].numpy(), expected_velocity, rtol=1e-5, atol=1e-9)
    untouched = [0, 2, 5]
    np.testing.assert_array_equal(variable.numpy()[untouched], initial[untouched])
    # Lazy, not Adam: row 1's momentum is still its step-1 value, not decayed by beta_1.
    assert optimizer._momentums[0].numpy()[1] == pytest.approx((1 - B1) * np.array([1.0, -0.5]))


def test_dense_gradients_get_the_plain_adam_update():
    import keras

    from rnnclf.optimizers import LazyAdam

    initial = np.array([[0.5, -0.25]], dtype="float32")
    gradient = np.array([[0.2, -0.4]], dtype="float32")
    lazy_variable, adam_variable = keras.Variable(initial), keras.Variable(initial)
    lazy = LazyAdam(learning_rate=LR, beta_1=B1, beta_2=B2, epsilon=EPS)
    adam = keras.optimizers.Adam(learning_rate=LR, beta_1=B1, beta_2=B2, epsilon=EPS)
    for _ in range(3):
        lazy.apply_gradients([(keras.ops.convert_to_tensor(gradient), lazy_variable)])
        adam.apply_gradients([(keras.ops.convert_to_tensor(gradient), adam_variable)])
    expected, _, _ = reference_lazy_adam(initial, [([0], gradient)] * 3)
    np.testing.assert_allclose(lazy_variable.numpy(), adam_variable.numpy(), rtol=1e-6)
    # float32 loses ~1e-5 (relative) in 1 - beta_2 ** t, hence the looser tolerance against float64.
    np.testing.assert_allclose(lazy_variable.numpy(), expected, rtol=1e-4)
