import numpy as np

from rnnclf.training import length_buckets, pad_batch


def test_buckets_cover_every_index_once_and_group_similar_lengths():
    lengths = list(np.random.default_rng(0).integers(1, 200, size=1000))
    batches = length_buckets(lengths, batch_size=32, seed=0, epoch=0)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000))
    # within a bucket lengths are close: the spread is far below the global spread
    spreads = [np.ptp(np.asarray(lengths)[batch]) for batch in batches]
    assert np.median(spreads) <= 10 and np.ptp(lengths) > 150


def test_bucket_order_is_reshuffled_per_epoch_but_seeded():
    lengths = list(range(100))
    first = [b.tolist() for b in length_buckets(lengths, 10, seed=1, epoch=0)]
    again = [b.tolist() for b in length_buckets(lengths, 10, seed=1, epoch=0)]
    second = [b.tolist() for b in length_buckets(lengths, 10, seed=1, epoch=1)]
    assert first == again and first != second
    ordered = [b.tolist() for b in length_buckets(lengths, 10, seed=1, epoch=0, shuffle=False)]
    assert ordered[0] == list(range(10))


def test_pad_batch_pads_per_batch_to_a_rounded_length():
    batch = pad_batch([[5, 6, 7], [8]])
    assert batch.shape == (2, 8) and batch.dtype == np.int32
    assert batch[0, :3].tolist() == [5, 6, 7] and batch[1].tolist() == [8] + [0] * 7
    assert pad_batch([[1] * 9]).shape == (1, 16)
    assert pad_batch([[]]).shape == (1, 8)
