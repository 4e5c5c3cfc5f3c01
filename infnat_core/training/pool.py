"""The refiner's training pool: training photos, the samples drawn once from the data mixture (in worker
processes if asked), and their cache in the run folder (``pool.safetensors``, reused when the data settings match).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from infnat_core.data.mix import MixedDataset
from infnat_core.data.photos import Photo, PhotoRoundTrip
from infnat_core.data.sample import SAMPLE_KEYS
from infnat_core.data.synthetic import SyntheticFlights
from infnat_core.errors import InfnatError
from infnat_core.image_io import as_uint8, working_image
from infnat_core.training.config import TrainConfig

PHOTO_SIDE = 768
"""Longest side at which training photos are kept (their depth is estimated at the scene's mesh resolution)."""

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")
"""File types picked up from a photo folder."""

Pool = dict[str, torch.Tensor]
"""Stacked training samples: each key of ``SAMPLE_KEYS`` → ``(N, C, H, W)`` float16 in [0, 1]."""


def load_photos(paths: Sequence[str | Path]) -> list[Photo]:
    """Training photos from image files and folders (their images, sorted), with the default depth estimate.

    Raises ``InfnatError`` when a path is missing or a folder holds no images.
    """
    from infnat_core.scene import load_scene

    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
            if not found:
                raise InfnatError(f"photo folder {path} holds no images; put JPEG or PNG files in it")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InfnatError(f"training photo {path} does not exist; pass image files or folders")
    photos = []
    for file in files:
        scene = load_scene(file)
        photos.append(Photo(rgb=as_uint8(working_image(scene.photo.rgb, PHOTO_SIDE)), disparity=scene.disparity,
                            name=file.name))
    return photos


def draw_pool(config: TrainConfig, photos: Sequence[Photo] = (), rank: int = 0, world_size: int = 1,
              log: Callable[[str], None] | None = None) -> Pool:
    """This process's share of the training pool: samples ``rank, rank + world_size, …`` of the data mixture.

    The mixture is synthetic flights (seed ``config.seed``) plus, when ``photos`` are given, photo round trips with
    weight ``config.photo_weight``. Deterministic in the config and the photos.
    """
    return _draw_samples(config, photos, range(rank, config.pool_size, world_size), log)


def draw_pool_parallel(config: TrainConfig, photos: Sequence[Photo] = (), rank: int = 0, world_size: int = 1,
                       workers: int = 1, log: Callable[[str], None] | None = None) -> Pool:
    """:func:`draw_pool` in ``workers`` spawned processes (each renders on its own headless GL context): the same
    samples in the same order. Each worker draws a consecutive run of the share, so that it builds only the
    synthetic flights of its own samples, and hands it back in a temporary file (a large pool would not fit in
    a small ``/dev/shm``, which returning tensors goes through)."""
    indices = range(rank, config.pool_size, world_size)
    workers = min(workers, len(indices))
    if workers <= 1:
        return draw_pool(config, photos, rank, world_size, log)
    bounds = np.linspace(0, len(indices), workers + 1).round().astype(int)
    runs = [indices[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    if log is not None:
        log(f"drawing data: {len(indices)} samples in {workers} processes")
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a forked Mesa process hangs (infnat_core.gl)
    with tempfile.TemporaryDirectory(prefix="infnat-pool-") as folder:
        files = [str(Path(folder) / f"part-{w}.safetensors") for w in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread_worker) as executor:
            list(executor.map(_draw_samples_to_file, [config] * workers, [list(photos)] * workers, runs, files))
        parts = [load_file(file) for file in files]
    if log is not None:
        log(f"drawing data: {len(indices)} samples in {workers} processes ({time.perf_counter() - start:.0f} s)")
    return {key: torch.cat([part[key] for part in parts]) for key in SAMPLE_KEYS}


def _draw_samples_to_file(config: TrainConfig, photos: Sequence[Photo], indices: Sequence[int], path: str) -> None:
    """:func:`_draw_samples`, written to the safetensors file ``path`` (a pool worker's job)."""
    save_file(_draw_samples(config, photos, indices), path)


def _one_thread_worker() -> None:
    """Each pool worker computes on one thread (torch, and Mesa's software rasteriser where there is no GPU): the
    workers are the parallelism, and more threads would only contend for the same cores."""
    torch.set_num_threads(1)
    os.environ.setdefault("LP_NUM_THREADS", "1")


def _draw_samples(config: TrainConfig, photos: Sequence[Photo], indices: Sequence[int],
                  log: Callable[[str], None] | None = None) -> Pool:
    """Samples ``indices`` of the data mixture of :func:`draw_pool`, stacked as float16."""
    sources = [SyntheticFlights(config.synthetic_data, seed=config.seed)]
    weights = [1.0 - config.photo_weight if photos else 1.0]
    if photos:
        sources.append(PhotoRoundTrip(list(photos), config.photo_data, seed=config.seed))
        weights.append(config.photo_weight)
    mixture = MixedDataset(sources, weights, length=config.pool_size, seed=config.seed)
    samples: dict[str, list[torch.Tensor]] = {key: [] for key in SAMPLE_KEYS}
    start = time.perf_counter()
    for count, index in enumerate(indices, 1):
        sample = mixture[index]
        for key in SAMPLE_KEYS:
            samples[key].append(sample[key].to(torch.float16))
        if log is not None and (count % 200 == 0 or count == len(indices)):
            log(f"drawing data: {count}/{len(indices)} samples ({time.perf_counter() - start:.0f} s)")
    return {key: torch.stack(values) for key, values in samples.items()}


def pool_key(config: TrainConfig, photos: Sequence[Photo], rank: int, world_size: int) -> str:
    """What a pool depends on, as a string: the data fields of the config, the photos' names and this process's
    share. A cached pool is reused only when its key matches."""
    data = {name: json.loads(config.to_json())[name] for name in ("refiner", "synthetic", "photos", "photo_weight",
                                                                 "pool_size", "seed")}
    data["refiner"] = [config.refiner.height, config.refiner.width]
    return json.dumps({"data": data, "photos": [p.name for p in photos], "share": [rank, world_size]},
                      sort_keys=True)


def cached_pool(path: Path, config: TrainConfig, photos: Sequence[Photo] = (), rank: int = 0, world_size: int = 1,
                log: Callable[[str], None] | None = None, workers: int = 1) -> Pool:
    """The pool stored at ``path`` when it was drawn with the same data settings, else a freshly drawn one (in
    ``workers`` processes; then stored there, so a resumed or re-tuned run skips the drawing)."""
    key = pool_key(config, photos, rank, world_size)
    if path.is_file():
        try:
            with safe_open(str(path), framework="pt", device="cpu") as handle:
                if (handle.metadata() or {}).get("key") == key:
                    if log is not None:
                        log(f"reusing the training pool in {path}")
                    return {name: handle.get_tensor(name) for name in SAMPLE_KEYS}
        except Exception:  # a damaged cache is simply drawn again
            pass
    pool = draw_pool_parallel(config, photos, rank, world_size, workers, log)
    partial = path.with_name(path.name + ".partial")
    save_file({k: v.contiguous() for k, v in pool.items()}, str(partial), metadata={"key": key})
    os.replace(partial, path)
    return pool
