import numpy as np

from infnat_core.depth.connectivity import connected_to


class TestConnectedTo:
    def test_winding_region_is_filled_and_islands_are_not(self):
        mask = np.zeros((7, 7), dtype=bool)
        mask[0, :] = True  # top bar
        mask[:, 6] = True  # down the right side
        mask[6, 1:] = True  # back along the bottom
        mask[2:6, 1] = True  # and up again (a spiral)
        mask[3, 3] = True  # an island
        seed = np.zeros_like(mask)
        seed[0, 0] = True
        out = connected_to(mask, seed)
        assert out[2, 1] and out[6, 6] and not out[3, 3]
        assert out.sum() == mask.sum() - 1

    def test_diagonal_neighbours_are_not_connected(self):
        mask = np.eye(3, dtype=bool)
        seed = np.zeros_like(mask)
        seed[0, 0] = True
        assert connected_to(mask, seed).sum() == 1

    def test_seed_outside_the_mask_reaches_nothing(self):
        assert not connected_to(np.zeros((4, 4), bool), np.ones((4, 4), bool)).any()
