"""Training data for the refiner: synthetic flights with exact depth, photo round trips, ACID-format clips.

Every source is a map-style ``torch.utils.data.Dataset`` whose items are dicts of float32 tensors in [0, 1]
(see ``sample.SAMPLE_KEYS``), deterministic in ``(seed, index)`` and safe in DataLoader workers (GL contexts are made
lazily per process). ``MixedDataset`` draws from several with weights. See ``docs/data.md``.
"""

from infnat_core.data.acid import AcidClip, AcidConfig, AcidFlights, read_acid_clip, write_acid_clip
from infnat_core.data.mix import MixedDataset
from infnat_core.data.photos import Photo, PhotoRoundTrip, PhotoRoundTripConfig, load_photo
from infnat_core.data.sample import SAMPLE_KEYS
from infnat_core.data.synthetic import FramePair, SyntheticConfig, SyntheticFlight, SyntheticFlights

__all__ = [
    "SAMPLE_KEYS",
    "AcidClip",
    "AcidConfig",
    "AcidFlights",
    "FramePair",
    "MixedDataset",
    "Photo",
    "PhotoRoundTrip",
    "PhotoRoundTripConfig",
    "SyntheticConfig",
    "SyntheticFlight",
    "SyntheticFlights",
    "load_photo",
    "read_acid_clip",
    "write_acid_clip",
]
