"""Saving and loading refiner weights as safetensors, with the config as JSON metadata.

The file holds the full state of both modules, spectral-norm vectors included, so a loaded network in eval
mode produces exactly the outputs of the saved one.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from infnat_core.errors import InfnatError
from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder

FORMAT_NAME = "infnat-refiner"
"""Value of the ``format`` metadata key that marks a file as ours."""

FORMAT_VERSION = "1"
"""Value of the ``format_version`` metadata key written by this code."""

_GENERATOR_PREFIX = "generator."
_ENCODER_PREFIX = "encoder."


def save_weights(path: str | Path, generator: SPADEGenerator, encoder: StyleEncoder, config: RefinerConfig) -> None:
    """Write both networks and their config to ``path`` (replaced atomically)."""
    tensors = {
        prefix + key: value.detach().to("cpu").contiguous().clone()
        for prefix, module in ((_GENERATOR_PREFIX, generator), (_ENCODER_PREFIX, encoder))
        for key, value in module.state_dict().items()
    }
    metadata = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "config": config.to_json()}
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    save_file(tensors, str(partial), metadata=metadata)
    os.replace(partial, path)


def load_weights(
    path: str | Path, device: str | torch.device = "cpu"
) -> tuple[SPADEGenerator, StyleEncoder, RefinerConfig]:
    """Load a file written by :func:`save_weights` onto ``device``; both networks are returned in eval mode.

    Raises ``InfnatError`` when the file is missing, truncated, corrupt, not an infnat refiner file, or its
    tensors do not fit its config.
    """
    path = Path(path)
    if not path.is_file():
        raise InfnatError(f"refiner weights file {path} does not exist; check the path or train/export one")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != FORMAT_NAME:
                raise InfnatError(f"{path} is not an infnat refiner weights file; pass a file written by infnat")
            if metadata.get("format_version") != FORMAT_VERSION:
                raise InfnatError(
                    f"{path} has refiner format version {metadata.get('format_version')!r}, this infnat reads "
                    f"{FORMAT_VERSION!r}; re-export the weights with this version"
                )
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except InfnatError:
        raise
    except Exception as exc:  # safetensors raises several exception types for damaged files
        raise InfnatError(
            f"refiner weights file {path} is truncated or corrupt ({exc}); re-download or re-export it"
        ) from None
    config = RefinerConfig.from_json(metadata.get("config", ""))
    if not all(bool(torch.isfinite(t).all()) for t in tensors.values() if t.is_floating_point()):
        raise InfnatError(f"refiner weights file {path} contains NaN or infinite values; re-download or re-export it")
    generator, encoder = SPADEGenerator(config), StyleEncoder(config)
    for prefix, module in ((_GENERATOR_PREFIX, generator), (_ENCODER_PREFIX, encoder)):
        state = {key[len(prefix):]: value for key, value in tensors.items() if key.startswith(prefix)}
        problem = _state_mismatch(module.state_dict(), state)
        if problem:
            raise InfnatError(
                f"refiner weights file {path} does not match its own config ({prefix}{problem}); re-export it"
            )
        module.load_state_dict(state, strict=True)
    return generator.to(device).eval(), encoder.to(device).eval(), config


def _state_mismatch(expected: dict[str, torch.Tensor], found: dict[str, torch.Tensor]) -> str | None:
    """The first difference in names or shapes between two state dicts, or None when they agree."""
    for key, value in expected.items():
        if key not in found:
            return f"{key} is missing"
        if found[key].shape != value.shape:
            return f"{key} has shape {tuple(found[key].shape)}, expected {tuple(value.shape)}"
    extra = sorted(set(found) - set(expected))
    return f"{extra[0]} is unexpected" if extra else None
