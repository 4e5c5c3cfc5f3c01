import numpy as np
import torch

from infnat_core.data.preview import sample_row


def test_contact_sheet_row_shows_every_part_of_a_sample():
    h, w = 40, 64
    sample = {
        "rgbd_in": torch.zeros(4, h, w),
        "mask": torch.ones(1, h, w),
        "rgbd_target": torch.full((4, h, w), 0.5),
        "rgbd_first": torch.ones(4, h, w),
    }
    row = sample_row(sample)
    assert row.shape == (h // 2, 5 * w // 2, 3) and row.dtype == np.uint8
    tile = w // 2
    means = [row[:, i * tile : (i + 1) * tile].mean() for i in range(5)]
    np.testing.assert_allclose(means, [0, 255, 128, 128, 255], atol=1)
