"""Training the depth network (``infnat_core.depth.learned``) on a pool of synthetic frames with exact depth.

    nohup nice -n 10 python -m infnat_core.training.depth_train --pool RUN/pool_*.npz --out RUN \
        [--minutes 40] [--steps 4000] [--resume] &

Recipe: scale-and-shift invariant relative disparity loss + 0.5 × multi-scale gradient matching + 0.1 × sky
cross-entropy (``depth_losses``), on synthetic frames and, with ``--photo-fraction F``, that share of each batch
drawn from photo pools (real photos labelled by the heuristic, ``depth_pool --photos``); AdamW, cosine learning-rate
decay over the run's *progress*, which is the larger of step / steps and elapsed / minutes, so the rate has decayed
when either budget runs out. Random crops (80–100 % of
each side), horizontal flips and colour jitter. The last ``val_flights`` flights of the pool are held out and scored
(abs-rel after alignment, network output bilinearly upsampled to the frame) every ``val_every`` steps.

Writes to ``RUN``: ``checkpoint.pt`` (every ``checkpoint_every`` steps, for ``--resume``), ``log.csv``,
``val.csv``, ``last.safetensors`` and ``best.safetensors`` (float16, lowest validation abs-rel).
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from infnat_core.depth.learned import DepthNetConfig, DepthUNet, network_input_size, save_depth_net
from infnat_core.evaluation.depth_metrics import at_infinity, depth_errors
from infnat_core.training.depth_losses import depth_losses
from infnat_core.training.depth_pool import DepthPool, load_pools


@dataclass(frozen=True)
class AugmentConfig:
    """Random changes of each training frame."""

    crop_min: float = 0.8
    """Smallest crop, as a fraction of each side (the aspect ratio is kept)."""
    flip: bool = True
    """Mirror left–right half of the time."""
    brightness: float = 0.2
    """Brightness is multiplied by a factor in [1 − b, 1 + b]."""
    contrast: float = 0.2
    """Contrast about the mean is scaled by a factor in [1 − c, 1 + c]."""
    saturation: float = 0.3
    """Saturation is scaled by a factor in [1 − s, 1 + s]."""
    gamma: float = 0.2
    """Pixel values are raised to a power in [1 − g, 1 + g]."""


@dataclass(frozen=True)
class DepthTrainConfig:
    """One training run."""

    steps: int = 4000
    """Step budget (the run also stops at ``minutes``)."""
    minutes: float = 40.0
    """Wall-time budget of the training loop, summed over resumed sessions."""
    batch: int = 8
    """Frames per step."""
    lr: float = 1e-3
    """Peak learning rate (AdamW)."""
    lr_final: float = 3e-5
    """Learning rate at the end of the cosine decay."""
    warmup_steps: int = 100
    """Linear warm-up from 0."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    gradient_weight: float = 0.5
    """Weight of the gradient-matching term."""
    sky_weight: float = 0.1
    """Weight of the sky cross-entropy."""
    orientation_weight: float = 1.0
    """Weight of the penalty on a negative fitted scale."""
    photo_fraction: float = 0.0
    """Share of each batch drawn from the photo frames of the pools (pseudo-labelled, negative flight ids), when
    there are any."""
    val_flights: int = 20
    """Flights at the end of the pool held out for validation."""
    val_every: int = 500
    """Steps between validations."""
    checkpoint_every: int = 200
    """Steps between checkpoints."""
    seed: int = 0
    """Seed of the network initialisation and of the batches."""
    threads: int = 1
    """torch CPU threads (1 is fastest on a shared machine)."""
    net: DepthNetConfig = field(default_factory=DepthNetConfig)
    """Architecture."""
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    """Augmentation."""


def split_pool(pool: DepthPool, val_flights: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, val)`` of the pool's frames; validation = the ``val_flights`` highest flight ids (photo
    frames, with negative ids, always train)."""
    flights = np.unique(pool.flight[pool.flight >= 0])
    held = set(flights[-val_flights:].tolist()) if val_flights else set()
    is_val = np.array([f in held for f in pool.flight])
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def frame_tensors(pool: DepthPool, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Frame ``i`` as ``rgb (3, H, W)``, ``heuristic (2, H, W)`` and ``truth (2, H, W)`` (disparity, sky share)
    float32 tensors."""
    rgb = torch.from_numpy(pool.rgb[i]).permute(2, 0, 1).float() / 255.0
    truth = torch.from_numpy(np.stack([pool.disparity[i], pool.sky[i]])).float()
    return rgb, torch.from_numpy(pool.heuristic[i]).float(), truth


def jitter_colour(rgb: torch.Tensor, cfg: AugmentConfig, rng: np.random.Generator) -> torch.Tensor:
    """Colour jitter of ``rgb (3, H, W)`` in [0, 1]."""
    u = lambda a: float(rng.uniform(1.0 - a, 1.0 + a))  # noqa: E731
    x = rgb * u(cfg.brightness)
    x = (x - x.mean()) * u(cfg.contrast) + x.mean()
    grey = (x * torch.tensor([0.299, 0.587, 0.114])[:, None, None]).sum(0, keepdim=True)
    x = grey + (x - grey) * u(cfg.saturation)
    return x.clamp(0.0, 1.0) ** u(cfg.gamma)


def make_batch(pool: DepthPool, indices: np.ndarray, size: tuple[int, int], cfg: AugmentConfig,
               rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Augmented ``rgb (B, 3, h, w)``, ``heuristic (B, 2, h, w)`` and ``truth (B, 2, h, w)`` (disparity, sky share)
    at ``size``."""
    rgbs, heurs, gts = [], [], []
    for i in indices:
        rgb, heur, gt = frame_tensors(pool, int(i))
        H, W = rgb.shape[-2:]
        f = rng.uniform(cfg.crop_min, 1.0)
        ch, cw = max(8, round(H * f)), max(8, round(W * f))
        y, x = int(rng.integers(0, H - ch + 1)), int(rng.integers(0, W - cw + 1))
        crop = lambda t: t[..., y:y + ch, x:x + cw]  # noqa: E731
        rgb, heur, gt = crop(rgb), crop(heur), crop(gt)
        if cfg.flip and rng.random() < 0.5:
            rgb, heur, gt = rgb.flip(-1), heur.flip(-1), gt.flip(-1)
        rgbs.append(F.interpolate(jitter_colour(rgb, cfg, rng)[None], size=size, mode="bilinear",
                                  align_corners=False, antialias=True)[0])
        heurs.append(F.interpolate(heur[None], size=size, mode="bilinear", align_corners=False, antialias=True)[0])
        gts.append(F.interpolate(gt[None], size=size, mode="nearest")[0])  # no blending of sky into terrain
    return torch.stack(rgbs), torch.stack(heurs).clamp(0.0, 1.0), torch.stack(gts)


def validate(net: DepthUNet, pool: DepthPool, indices: np.ndarray, size: tuple[int, int],
             heuristic_only: bool = False) -> float:
    """Mean aligned abs-rel (``depth_metrics``) on the validation frames; the network output (or, with
    ``heuristic_only``, the heuristic's disparity) is bilinearly upsampled to the frame size."""
    scores = []
    with torch.no_grad():
        for i in indices:
            rgb, heur, gt = frame_tensors(pool, int(i))
            if (~at_infinity(gt[0].numpy())).mean() < 0.01:
                continue
            if heuristic_only:
                pred = heur[0].numpy()
            else:
                x = F.interpolate(rgb[None], size=size, mode="bilinear", align_corners=False, antialias=True)
                h = F.interpolate(heur[None], size=size, mode="bilinear", align_corners=False, antialias=True)
                out = net(x, h.clamp(0.0, 1.0) if net.config.use_heuristic else None)[:, 0:1]
                pred = F.interpolate(out, size=gt.shape[-2:], mode="bilinear", align_corners=False)[0, 0].numpy()
            scores.append(depth_errors(pred, gt[0].numpy()).abs_rel)
    return float(np.mean(scores))


def learning_rate(cfg: DepthTrainConfig, step: int, progress: float) -> float:
    """Warm-up, then cosine decay from ``lr`` to ``lr_final`` over ``progress`` in [0, 1]."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    c = 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))
    return cfg.lr_final + (cfg.lr - cfg.lr_final) * c


def train(cfg: DepthTrainConfig, pool_paths: list[str], out: Path, resume: bool = False) -> None:
    """Run (or resume) training; see the module docstring for what is written."""
    torch.set_num_threads(cfg.threads)
    out.mkdir(parents=True, exist_ok=True)
    pool = load_pools(pool_paths)
    train_idx, val_idx = split_pool(pool, cfg.val_flights)
    photo_idx, train_idx = train_idx[pool.flight[train_idx] < 0], train_idx[pool.flight[train_idx] >= 0]
    if not 0.0 <= cfg.photo_fraction < 1.0:
        raise ValueError(f"photo_fraction {cfg.photo_fraction} is out of range; use a value in [0, 1)")
    n_photo = round(cfg.batch * cfg.photo_fraction) if len(photo_idx) else 0
    if len(photo_idx) and not n_photo:
        print(f"warning: the pools hold {len(photo_idx)} photo frames, but photo_fraction {cfg.photo_fraction} "
              f"draws none of them into a batch of {cfg.batch}", flush=True)
    H, W = pool.rgb.shape[1:3]
    size = network_input_size(H, W, cfg.net.input_long_side, cfg.net.multiple)
    torch.manual_seed(cfg.seed)
    net = DepthUNet(cfg.net)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    step, elapsed, best = 0, 0.0, float("inf")
    rng = np.random.default_rng(cfg.seed)
    ckpt_path = out / "checkpoint.pt"
    if resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, weights_only=True)
        net.load_state_dict(ckpt["net"])
        opt.load_state_dict(ckpt["opt"])
        step, elapsed, best = ckpt["step"], ckpt["elapsed"], ckpt["best"]
        rng.bit_generator.state = ckpt["rng"]
        print(f"resumed at step {step} ({elapsed / 60:.1f} min)", flush=True)
    else:
        heuristic = validate(net, pool, val_idx, size, heuristic_only=True)
        print(f"{len(train_idx)} training frames ({len(photo_idx)} photo frames, {n_photo} per batch), "
              f"{len(val_idx)} validation frames at {size}; "
              f"{sum(p.numel() for p in net.parameters()) / 1e6:.2f} M parameters; "
              f"heuristic validation abs-rel {heuristic:.4f}", flush=True)
        with open(out / "val.csv", "w", newline="") as f:
            csv.writer(f).writerow(["step", "minutes", "abs_rel"])
            csv.writer(f).writerow([0, 0.0, f"{heuristic:.5f}"])  # step 0: the heuristic itself
        with open(out / "log.csv", "w", newline="") as f:
            csv.writer(f).writerow(["step", "minutes", "lr", "loss", "relative", "gradient", "sky", "orientation"])

    def save_checkpoint() -> None:
        state = {"net": net.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed, "best": best,
                 "rng": rng.bit_generator.state, "config": repr(cfg)}
        torch.save(state, out / "checkpoint.pt.partial")
        (out / "checkpoint.pt.partial").replace(ckpt_path)

    budget = cfg.minutes * 60.0
    net.train()
    session_start = time.perf_counter() - elapsed
    while step < cfg.steps and elapsed < budget:
        progress = max(step / cfg.steps, elapsed / budget)
        lr = learning_rate(cfg, step, progress)
        for group in opt.param_groups:
            group["lr"] = lr
        picks = np.concatenate([rng.choice(train_idx, cfg.batch - n_photo), rng.choice(photo_idx, n_photo)])
        rgb, heur, gt = make_batch(pool, picks, size, cfg.augment, rng)
        terms = depth_losses(net(rgb, heur if cfg.net.use_heuristic else None), gt[:, 0:1], gt[:, 1:2])
        loss = (terms["relative"] + cfg.gradient_weight * terms["gradient"] + cfg.sky_weight * terms["sky"]
                + cfg.orientation_weight * terms["orientation"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        step += 1
        elapsed = time.perf_counter() - session_start
        with open(out / "log.csv", "a", newline="") as f:
            csv.writer(f).writerow([step, f"{elapsed / 60:.3f}", f"{lr:.2e}", f"{loss.item():.5f}",
                                    *(f"{terms[k].item():.5f}" for k in ("relative", "gradient", "sky",
                                                                         "orientation"))])
        if step % cfg.val_every == 0 or step >= cfg.steps or elapsed >= budget:
            net.eval()
            score = validate(net, pool, val_idx, size)
            net.train()
            print(f"step {step}, {elapsed / 60:.1f} min, lr {lr:.1e}, loss {loss.item():.4f}, "
                  f"validation abs-rel {score:.4f}", flush=True)
            with open(out / "val.csv", "a", newline="") as f:
                csv.writer(f).writerow([step, f"{elapsed / 60:.2f}", f"{score:.5f}"])
            if score < best:
                best = score
                save_depth_net(out / "best.safetensors", net)
        if step % cfg.checkpoint_every == 0:
            save_checkpoint()
    save_checkpoint()
    save_depth_net(out / "last.safetensors", net.eval())
    print(f"done: step {step}, {elapsed / 60:.1f} min, best validation abs-rel {best:.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", nargs="+", required=True, help="pool files from infnat_core.training.depth_pool")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--steps", type=int, default=DepthTrainConfig.steps)
    parser.add_argument("--minutes", type=float, default=DepthTrainConfig.minutes)
    parser.add_argument("--batch", type=int, default=DepthTrainConfig.batch)
    parser.add_argument("--photo-fraction", type=float, default=DepthTrainConfig.photo_fraction,
                        help="share of each batch from photo pools (pseudo labels)")
    parser.add_argument("--rgb-only", action="store_true", help="no heuristic input (not a blend)")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    cfg = DepthTrainConfig(steps=args.steps, minutes=args.minutes, batch=args.batch,
                           photo_fraction=args.photo_fraction,
                           net=DepthNetConfig(use_heuristic=not args.rgb_only))
    train(cfg, args.pool, args.out, args.resume)


if __name__ == "__main__":
    main()
