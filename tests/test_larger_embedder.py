"""The benchmark-only MPNet of benchmarks/larger_embedder.py: its relative-position buckets (issue 23)."""

from __future__ import annotations

import numpy as np

from benchmarks.larger_embedder import relative_bucket


def test_relative_position_buckets_follow_t5_as_mpnet_uses_them():
    # relative = key position - query position; 16 buckets a direction, exact below 8, log-spaced to 128
    relative = np.array([0, -1, 1, -7, -8, -20, -127, -500, 20])
    assert relative_bucket(relative).tolist() == [0, 1, 17, 7, 8, 10, 15, 15, 26]
