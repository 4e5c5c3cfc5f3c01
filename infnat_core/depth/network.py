"""A pretrained depth network from a local file: ONNX (ONNX Runtime) or TorchScript (``torch.jit.load``).

The network takes one normalised image ``(1, 3, h, w)`` and returns relative disparity (MiDaS-style; ``kind`` and
``near_is_bright`` describe other conventions), which is resized back to the photo and min–max normalised.
Nothing is downloaded: the user points at a file they have.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from infnat_core.depth.config import NetworkDepthConfig
from infnat_core.depth.interface import DepthEstimate, check_rgb
from infnat_core.depth.normalise import DepthKind, to_disparity
from infnat_core.depth.resample import resize
from infnat_core.errors import InfnatError

ONNX_SUFFIXES = (".onnx",)
TORCHSCRIPT_SUFFIXES = (".pt", ".pth", ".ts")

Runner = Callable[[np.ndarray], np.ndarray]
"""Runs the network: ``(1, 3, h, w)`` float32 in, its raw output as an array out."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _load_onnx(path: Path, use_gpu: bool) -> tuple[Runner, tuple[int, int] | None]:
    import onnxruntime as ort

    providers = ["CPUExecutionProvider"]
    if use_gpu and "CUDAExecutionProvider" in ort.get_available_providers():
        providers.insert(0, "CUDAExecutionProvider")
    try:
        session = ort.InferenceSession(str(path), providers=providers)
    except Exception as exc:  # ONNX Runtime raises its own exception types for every kind of bad file
        raise InfnatError(f"cannot load depth network '{path.name}' ({_first_line(exc)}); "
                          "check that it is a complete ONNX model file") from None
    inputs = session.get_inputs()
    shape = inputs[0].shape if len(inputs) == 1 else None
    if shape is None or len(shape) != 4 or (isinstance(shape[1], int) and shape[1] != 3):
        got = [tuple(i.shape) for i in inputs]
        raise InfnatError(f"depth network '{path.name}' takes inputs {got}; a depth network must take one "
                          "(1, 3, H, W) image")
    if inputs[0].type not in ("tensor(float)", "tensor(float16)"):
        raise InfnatError(f"depth network '{path.name}' takes {inputs[0].type} input; it must take float images")
    dtype = np.float16 if inputs[0].type == "tensor(float16)" else np.float32
    fixed = (shape[2], shape[3]) if isinstance(shape[2], int) and isinstance(shape[3], int) else None
    name = inputs[0].name

    def run(x: np.ndarray) -> np.ndarray:
        return np.asarray(session.run(None, {name: x.astype(dtype)})[0], dtype=np.float32)

    return run, fixed


def _load_torchscript(path: Path, use_gpu: bool) -> tuple[Runner, None]:
    device = torch.device("cuda" if use_gpu and torch.cuda.is_available() else "cpu")
    try:
        model = torch.jit.load(str(path), map_location=device)
    except (RuntimeError, ValueError, OSError) as exc:
        hint = "a checkpoint of weights needs its Python code — export the model with torch.jit.trace or to ONNX"
        raise InfnatError(f"cannot load '{path.name}' as a TorchScript model ({_first_line(exc)}); {hint}") from None
    model.eval()

    def run(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            out = model(torch.from_numpy(x).to(device))
        if isinstance(out, (tuple, list)) and out:
            out = out[0]
        if not isinstance(out, torch.Tensor):
            raise InfnatError(f"depth network '{path.name}' returned {type(out).__name__}, not a tensor")
        return out.float().cpu().numpy()

    return run, None


class NetworkDepthEstimator:
    """Relative disparity from a pretrained network file (ONNX or TorchScript)."""

    def __init__(self, path: str | Path, config: NetworkDepthConfig = NetworkDepthConfig(),
                 kind: DepthKind = "disparity", near_is_bright: bool = True) -> None:
        """Load the model now (``InfnatError`` for a missing, broken or incompatible file)."""
        self.path = Path(path)
        self.name = f"network {self.path.name}"
        self.config = config
        self.kind: DepthKind = kind
        self.near_is_bright = near_is_bright
        if not self.path.is_file():
            raise InfnatError(f"depth network '{self.path}' does not exist; check the path")
        suffix = self.path.suffix.lower()
        if suffix in ONNX_SUFFIXES:
            self._run, self._fixed_size = _load_onnx(self.path, config.use_gpu)
        elif suffix in TORCHSCRIPT_SUFFIXES:
            self._run, self._fixed_size = _load_torchscript(self.path, config.use_gpu)
        else:
            raise InfnatError(f"'{self.path.name}' is not a depth network file; use .onnx or a TorchScript "
                              f"{'/'.join(TORCHSCRIPT_SUFFIXES)}")

    def input_size(self, height: int, width: int) -> tuple[int, int]:
        """Network input ``(h, w)`` for a ``height``×``width`` photo."""
        if self._fixed_size is not None:
            return self._fixed_size
        if self.config.input_size is not None:
            return self.config.input_size
        m = self.config.multiple_of
        scale = self.config.long_side / max(height, width)
        return max(m, round(height * scale / m) * m), max(m, round(width * scale / m) * m)

    def estimate(self, rgb: np.ndarray) -> DepthEstimate:
        """Disparity of ``rgb (H, W, 3)`` float32 in [0, 1] at its own size; no sky (all zeros)."""
        rgb = check_rgb(rgb)
        height, width = rgb.shape[:2]
        h, w = self.input_size(height, width)
        mean = np.asarray(self.config.mean, dtype=np.float32)
        std = np.asarray(self.config.std, dtype=np.float32)
        x = ((resize(rgb, h, w) - mean) / std).transpose(2, 0, 1)[None]
        try:
            raw = self._run(np.ascontiguousarray(x, dtype=np.float32))
        except InfnatError:
            raise
        except Exception as exc:  # whatever the runtime raises for an input the model cannot take
            raise InfnatError(f"depth network '{self.path.name}' failed on a {w}×{h} input ({_first_line(exc)}); "
                              "set the network input size it was made for") from None
        out = np.squeeze(raw)
        if out.ndim != 2:
            raise InfnatError(f"depth network '{self.path.name}' returned shape {tuple(raw.shape)}; a depth "
                              "network must return one (H, W) map")
        disparity = to_disparity(out, self.kind, self.near_is_bright, f"depth network '{self.path.name}' output")
        disparity = np.clip(resize(disparity, height, width), 0.0, 1.0)
        return DepthEstimate(disparity=disparity, sky=np.zeros_like(disparity))
