import numpy as np

from infnat_core.data.noise import FbmConfig, fbm


def test_same_seed_same_field_anywhere():
    x, z = np.meshgrid(np.linspace(-50, 50, 64), np.linspace(-50, 50, 64))
    full = fbm(x, z, seed=3)
    # Evaluating a sub-region alone gives the same values: fields are functions of position, not of the grid.
    np.testing.assert_array_equal(fbm(x[10:20, 5:9], z[10:20, 5:9], seed=3), full[10:20, 5:9])
    assert not np.allclose(fbm(x, z, seed=4), full)


def test_fbm_is_zero_mean_and_bounded():
    x, z = np.meshgrid(np.linspace(0, 400, 200), np.linspace(0, 400, 200))
    field = fbm(x, z, seed=1, config=FbmConfig(wavelength=16.0))
    assert np.abs(field).max() <= 1.0
    assert abs(float(field.mean())) < 0.05
    assert float(field.std()) > 0.1


def test_detail_scales_with_wavelength():
    x, z = np.meshgrid(np.linspace(0, 64, 128), np.linspace(0, 64, 128))
    rough = fbm(x, z, seed=0, config=FbmConfig(wavelength=2.0))
    smooth = fbm(x, z, seed=0, config=FbmConfig(wavelength=32.0))
    assert np.abs(np.diff(rough, axis=1)).mean() > 4 * np.abs(np.diff(smooth, axis=1)).mean()
