"""Mask patterns shared by the recurrent-layer tests."""

import numpy as np


def example_mask(batch_size, timesteps):
    """Each row a different padding pattern: leading, trailing, both, a hole, none, all."""
    mask = np.ones((batch_size, timesteps), dtype=bool)
    third = max(1, timesteps // 3)
    for row in range(batch_size):
        pattern = row % 6
        if pattern == 0:
            mask[row, :third] = False  # leading padding
        elif pattern == 1:
            mask[row, -third:] = False  # trailing padding
        elif pattern == 2:
            mask[row, 0] = mask[row, -1] = False  # both
        elif pattern == 3:
            mask[row, timesteps // 2] = False  # a hole in the middle
        elif pattern == 5:
            mask[row] = False  # everything masked
        # pattern 4: nothing masked
    return mask
