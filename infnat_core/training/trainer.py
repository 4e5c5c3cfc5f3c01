"""Training the refiner: data pool → generator + style encoder → losses → Adam (D, then G step) → checkpoints.

``train`` is the whole recipe (``python main.py train``). It runs on the CPU, or CUDA when present, and under
``torchrun`` as data-parallel training: each process draws its share of the pool and its own batches, and the
gradients of all three networks are averaged across processes before every optimiser step (the result of DDP; done
explicitly because the discriminator is called twice before one backward, which DDP's reducer does not allow).
Only rank 0 writes.

A run directory holds ``pool.safetensors`` (the drawn training samples, reused by a resumed run;
:mod:`infnat_core.training.pool`),
``checkpoint/`` (the latest resumable state: ``refiner.safetensors``, ``discriminator.safetensors``,
``optimizers.pt``, ``state.json``), ``losses.png`` (the loss curves) and, when the run ends,
``refiner.safetensors`` (float16 generator + encoder for :func:`infnat_core.refiner.load_refiner`).
"""

from __future__ import annotations

import copy
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from infnat_core.data.photos import Photo
from infnat_core.data.rollout import rollout_samples
from infnat_core.data.sample import SAMPLE_KEYS
from infnat_core.data.synthetic import SyntheticFlights
from infnat_core.errors import InfnatError
from infnat_core.evaluation.plots import line_chart
from infnat_core.fill import fill_holes
from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.edges import paint_mask
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder, make_condition, rgbd_from_output
from infnat_core.refiner.inference import NetworkRefiner, resolve_device
from infnat_core.refiner.weights import load_weights, save_weights
from infnat_core.training.config import TrainConfig
from infnat_core.training.discriminator import MultiScaleDiscriminator
from infnat_core.training.losses import discriminator_losses, generator_losses
from infnat_core.training.perceptual import VGG16Features, load_vgg16
from infnat_core.training.pool import Pool, cached_pool

CURVES = ("total", "rgbd_l1", "perceptual", "feature_matching", "adversarial", "kl", "d_hinge")
"""History entries drawn in ``losses.png``."""

class RefinerModel(nn.Module):
    """Style encoder + generator as one module: what one generator step trains."""

    def __init__(self, config: RefinerConfig) -> None:
        super().__init__()
        self.encoder = StyleEncoder(config)
        self.generator = SPADEGenerator(config)

    def forward(self, rgbd_in: torch.Tensor, mask: torch.Tensor, rgbd_first: torch.Tensor,
                noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """rgbd_in ``(B, 4, H, W)``, mask ``(B, 1, H, W)``, rgbd_first ``(B, 4, H, W)`` in [0, 1], noise
        ``(B, style_dim)`` ~ N(0, I) → (prediction ``(B, 4, H, W)`` in [0, 1], mu, logvar ``(B, style_dim)``).

        The style is sampled as ``z = mu + exp(logvar / 2) · noise`` (the reparameterisation trick)."""
        mu, logvar = self.encoder(rgbd_first)
        z = mu + torch.exp(0.5 * logvar) * noise
        return rgbd_from_output(self.generator(make_condition(rgbd_in, mask), z)), mu, logvar


class _PooledVGG(nn.Module):
    """VGG16 taps of an image average-pooled by ``factor`` first (a cheaper perceptual loss)."""

    def __init__(self, vgg: VGG16Features, factor: int) -> None:
        super().__init__()
        self.vgg = vgg
        self.factor = factor

    def forward(self, rgb: torch.Tensor) -> list[torch.Tensor]:
        """RGB ``(B, 3, H, W)`` in [0, 1] → the five VGG16 taps of the pooled image."""
        return self.vgg(F.avg_pool2d(rgb, self.factor) if self.factor > 1 else rgb)


def filled(rgbd: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """rgbd ``(B, 4, H, W)`` in [0, 1] with the holes of mask ``(B, 1, H, W)`` filled by the classical fill (what
    a residual generator is conditioned on), on rgbd's device."""
    out = []
    for image, valid in zip(rgbd.cpu().numpy(), mask.cpu().numpy(), strict=True):
        rgb, disparity = fill_holes(np.moveaxis(image[:3], 0, -1), image[3], valid[0])
        out.append(np.concatenate([np.moveaxis(rgb, -1, 0), disparity[None]], axis=0))
    return torch.from_numpy(np.stack(out)).to(rgbd.device)


class Trainer:
    """The networks, their optimisers and the step counter of one training run (one process of it)."""

    def __init__(self, config: TrainConfig, pool: Pool, device: str = "auto") -> None:
        """``pool`` from :func:`infnat_core.training.pool.draw_pool`; ``device`` as in
        :func:`infnat_core.refiner.resolve_device`."""
        size = len(next(iter(pool.values())))
        if size < config.batch_size:
            raise InfnatError("the training pool is smaller than one batch; raise pool_size or lower batch_size")
        if config.rollout_every and config.rollout_flights * config.rollout_steps > int(config.rollout_share * size):
            raise InfnatError(f"a rollout refresh ({config.rollout_flights} × {config.rollout_steps} samples) must fit "
                              f"in this process's share of the pool ({config.rollout_share} × {size}); lower "
                              "rollout_flights or raise pool_size")
        self.config = config
        self.device = resolve_device(device)
        self.rank = dist.get_rank() if dist.is_initialized() else 0
        self.world_size = dist.get_world_size() if dist.is_initialized() else 1
        self.pool = pool
        torch.manual_seed(config.seed)
        self.model = RefinerModel(config.refiner).to(self.device).train()
        self.discriminator = MultiScaleDiscriminator(config.discriminator).to(self.device).train()
        self.vgg = _PooledVGG(load_vgg16(device=self.device), config.perceptual_downsample)
        if self.world_size > 1:
            for module in (self.model, self.discriminator):
                for tensor in module.state_dict().values():
                    dist.broadcast(tensor, 0)
        self.generator_optimizer = torch.optim.Adam(self.model.parameters(), config.generator_lr, config.betas)
        self.discriminator_optimizer = torch.optim.Adam(self.discriminator.parameters(), config.discriminator_lr,
                                                        config.betas)
        self.step_index = 0
        self.history: list[dict[str, float]] = []
        self._next_slot = 0  # the pool slot the next own rollout overwrites

    def batch(self, step: int) -> Pool:
        """The batch of ``step`` on this process (drawn without replacement from the pool), as float32 on the device."""
        rng = np.random.default_rng([self.config.seed, step, self.rank])
        size = len(next(iter(self.pool.values())))
        picks = torch.from_numpy(rng.choice(size, self.config.batch_size, replace=False))
        return {key: value[picks].to(self.device, torch.float32) for key, value in self.pool.items()}

    def step(self) -> dict[str, float]:
        """One discriminator step and one generator step on the next batch; returns that step's losses
        (the generator's names from :func:`generator_losses` plus ``d_hinge``) and appends them to ``history``.
        The discriminator is not run when the adversarial and feature-matching weights are both 0 (no
        ``d_hinge`` then)."""
        cfg = self.config
        batch = self.batch(self.step_index)
        noise_seed = int(np.random.default_rng([cfg.seed, self.step_index, self.rank, 1]).integers(2**62))
        noise = torch.randn((cfg.batch_size, cfg.refiner.style_dim),
                            generator=torch.Generator().manual_seed(noise_seed)).to(self.device)
        rgbd_in = filled(batch["rgbd_in"], batch["mask"]) if cfg.refiner.residual else batch["rgbd_in"]
        keep = paint_mask(batch["mask"], batch["rgbd_in"][:, 3:], cfg.refiner.edge_band)
        pred, mu, logvar = self.model(rgbd_in, keep, batch["rgbd_first"], noise)
        if cfg.composite_loss:
            pred = keep * batch["rgbd_in"] + (1.0 - keep) * pred
        target = batch["rgbd_target"]

        record = {"step": float(self.step_index + 1)}
        discriminator = self.discriminator if cfg.losses.adversarial or cfg.losses.feature_matching else None
        if discriminator is not None:
            d_losses = discriminator_losses(pred, target, discriminator, cfg.losses)
            self.discriminator_optimizer.zero_grad(set_to_none=True)
            d_losses["total"].backward()
            self._average_gradients(discriminator)
            self.discriminator_optimizer.step()
            record["d_hinge"] = d_losses["hinge"].item()
            discriminator.requires_grad_(False)

        g_losses = generator_losses(pred, target, mu, logvar, discriminator, self.vgg, cfg.losses)
        self.generator_optimizer.zero_grad(set_to_none=True)
        g_losses["total"].backward()
        self.discriminator.requires_grad_(True)
        self._average_gradients(self.model)
        self.generator_optimizer.step()

        self.step_index += 1
        record.update({k: v.item() for k, v in g_losses.items()})
        if not all(math.isfinite(v) for v in record.values()):
            raise InfnatError(f"training diverged at step {self.step_index} (non-finite loss {record}); "
                              "resume from the last checkpoint with a lower learning rate")
        self.history.append(record)
        return record

    def own_rollouts(self, dataset: SyntheticFlights, first_flight: int) -> list[dict[str, torch.Tensor]]:
        """Samples of ``config.rollout_flights`` flights of ``dataset`` from ``first_flight`` on, flown by a frozen
        copy of the current networks (:func:`infnat_core.data.rollout.rollout_samples`)."""
        cfg = self.config
        painter = NetworkRefiner.from_networks(copy.deepcopy(self.model.generator).eval(),
                                               copy.deepcopy(self.model.encoder).eval(), cfg.refiner)
        samples = []
        for flight in range(first_flight, first_flight + cfg.rollout_flights):
            samples += rollout_samples(dataset, flight, painter, cfg.rollout_steps, cfg.synthetic.edge_threshold)
        return samples

    def replace_samples(self, samples: Sequence[dict[str, torch.Tensor]]) -> None:
        """Overwrite the pool's oldest replaced-or-drawn samples with ``samples``, cycling through the first
        ``config.rollout_share`` of the pool."""
        size = max(1, int(self.config.rollout_share * len(next(iter(self.pool.values())))))
        for sample in samples:
            for key in SAMPLE_KEYS:
                self.pool[key][self._next_slot] = sample[key].to(self.pool[key].dtype)
            self._next_slot = (self._next_slot + 1) % size

    def _average_gradients(self, module: nn.Module) -> None:
        """Average ``module``'s gradients over all processes (no-op in a single process)."""
        if self.world_size == 1:
            return
        for param in module.parameters():
            if param.grad is not None:
                dist.all_reduce(param.grad)
                param.grad /= self.world_size

    def save_checkpoint(self, directory: str | Path) -> None:
        """Write the resumable state to ``directory`` (replaced as a whole, so a crash leaves the old one)."""
        directory = Path(directory)
        partial = directory.with_name(directory.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        save_weights(partial / "refiner.safetensors", self.model.generator, self.model.encoder, self.config.refiner)
        save_file({k: v.detach().cpu().contiguous() for k, v in self.discriminator.state_dict().items()},
                  str(partial / "discriminator.safetensors"))
        torch.save({"generator": self.generator_optimizer.state_dict(),
                    "discriminator": self.discriminator_optimizer.state_dict()}, partial / "optimizers.pt")
        state = {"step": self.step_index, "config": self.config.to_json(), "history": self.history}
        (partial / "state.json").write_text(json.dumps(state))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        partial.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    def load_checkpoint(self, directory: str | Path) -> None:
        """Restore the state written by :meth:`save_checkpoint`; ``InfnatError`` if it is missing, damaged or
        was written with another training config."""
        directory = Path(directory)
        state_file = directory / "state.json"
        if not state_file.is_file():
            raise InfnatError(f"no checkpoint in {directory}; drop --resume to start a new run")
        try:
            state = json.loads(state_file.read_text())
            if state["config"] != self.config.to_json():
                raise InfnatError(f"the checkpoint in {directory} was trained with another config; resume it with "
                                  "the same preset, or start a new run in another folder")
            generator, encoder, _ = load_weights(directory / "refiner.safetensors", self.device)
            self.model.generator.load_state_dict(generator.state_dict())
            self.model.encoder.load_state_dict(encoder.state_dict())
            with safe_open(str(directory / "discriminator.safetensors"), framework="pt", device="cpu") as handle:
                self.discriminator.load_state_dict({key: handle.get_tensor(key) for key in handle.keys()})
            optimizers = torch.load(directory / "optimizers.pt", map_location=self.device, weights_only=True)
            self.generator_optimizer.load_state_dict(optimizers["generator"])
            self.discriminator_optimizer.load_state_dict(optimizers["discriminator"])
        except InfnatError:
            raise
        except Exception as exc:  # json, safetensors, torch and state-dict errors: all mean a damaged checkpoint
            raise InfnatError(f"the checkpoint in {directory} is damaged ({exc}); start a new run") from None
        self.step_index = int(state["step"])
        self.history = list(state["history"])

    def export(self, path: str | Path) -> None:
        """Write the generator and encoder as float16 (half the size, same outputs to ~1e-3) for inference."""
        generator = copy.deepcopy(self.model.generator).half()
        encoder = copy.deepcopy(self.model.encoder).half()
        save_weights(path, generator, encoder, self.config.refiner)


def plot_history(history: Sequence[dict[str, float]], path: str | Path) -> None:
    """Loss curves of a run's history as a PNG: log scale, moving averages over 1 % of the run (≥ 20 steps)."""
    window = max(20, len(history) // 100)
    steps = np.array([h["step"] for h in history])
    series = {}
    for name in CURVES:
        values = np.array([h.get(name, math.nan) for h in history])
        if len(values) >= window:
            smooth = np.convolve(values, np.ones(window) / window, mode="valid")
            series[name] = list(zip(steps[window - 1:], smooth))
        else:
            series[name] = list(zip(steps, values))
    line_chart(series, path, title=f"training losses ({window}-step moving average)", log_y=True)


def train(config: TrainConfig, out_dir: str | Path, steps: int, photos: Sequence[Photo] = (), resume: bool = False,
          device: str = "auto", log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
          deadline: float | None = None, pool_workers: int = 1) -> Path:
    """Train for ``steps`` steps in all (a resumed run continues to that total), or until ``time.monotonic()``
    passes ``deadline`` (at least one step is taken), whichever comes first; returns the exported weights path. The
    pool is drawn in ``pool_workers`` processes.

    Under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment) it joins the process group (NCCL on CUDA, else
    Gloo) and uses the GPU ``LOCAL_RANK``.
    """
    out_dir = Path(out_dir)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        use_cuda = torch.cuda.is_available() and device in ("auto", "cuda")
        if use_cuda:
            torch.cuda.set_device(local_rank)
            device = f"cuda:{local_rank}"
        dist.init_process_group("nccl" if use_cuda else "gloo")
    try:
        checkpoint = out_dir / "checkpoint"
        if resume and not (checkpoint / "state.json").is_file():
            raise InfnatError(f"no checkpoint in {checkpoint}; drop --resume to start a new run")
        rank = dist.get_rank() if distributed else 0
        world = dist.get_world_size() if distributed else 1
        say = log if rank == 0 else (lambda line: None)
        if rank == 0:
            out_dir.mkdir(parents=True, exist_ok=True)
        if distributed:
            dist.barrier()  # rank 0 has made the run folder
        pool = cached_pool(out_dir / ("pool.safetensors" if world == 1 else f"pool-{rank}.safetensors"), config,
                           photos, rank, world, say, pool_workers)
        trainer = Trainer(config, pool, device)
        if resume:
            trainer.load_checkpoint(checkpoint)
            say(f"resumed at step {trainer.step_index}")
        say(f"training on {trainer.device} ×{world}: {sum(p.numel() for p in trainer.model.parameters()):,} "
            f"generator+encoder parameters, batch {config.batch_size}, {config.refiner.height}×{config.refiner.width}")
        rollouts = SyntheticFlights(config.synthetic_data, seed=config.seed) if config.rollout_every else None
        start, first_step = time.perf_counter(), trainer.step_index
        deadline = math.inf if deadline is None else deadline
        while trainer.step_index < steps:
            if rollouts is not None and trainer.step_index and trainer.step_index % config.rollout_every == 0:
                refresh = (trainer.step_index // config.rollout_every) * world + rank
                trainer.replace_samples(trainer.own_rollouts(
                    rollouts, config.synthetic.flights + refresh * config.rollout_flights))
            trainer.step()
            done = trainer.step_index
            last = done == steps or _agreed(time.monotonic() >= deadline, distributed, trainer.device)
            if done % config.log_every == 0 or last:
                say(_progress_line(trainer.history[-config.log_every:], done, steps,
                                   (time.perf_counter() - start) / (done - first_step), deadline - time.monotonic()))
            if rank == 0 and (done % config.checkpoint_every == 0 or last):
                trainer.save_checkpoint(checkpoint)
                plot_history(trainer.history, out_dir / "losses.png")
            if last:
                if done < steps:
                    say(f"stopped at step {done}: the time budget is spent")
                break
        weights = out_dir / "refiner.safetensors"
        if rank == 0:
            trainer.export(weights)
            say(f"wrote {weights}")
        if distributed:
            dist.barrier()  # tear the group down together: a process leaving early can abort the others' gloo
        return weights
    finally:
        if distributed:
            dist.destroy_process_group()


def _agreed(flag: bool, distributed: bool, device: torch.device) -> bool:
    """``flag`` on any process, so that all stop at the same step (their clocks differ)."""
    if not distributed:
        return flag
    value = torch.tensor([float(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def _progress_line(recent: Sequence[dict[str, float]], done: int, total: int, seconds_per_step: float,
                   seconds_left: float = math.inf) -> str:
    """``step 120/3000  G 1.234 (l1 0.051 perc 2.31 fm 0.45 adv 0.12 kl 3.2)  D 1.87  0.95 s/step  ETA 45 min``,
    each loss averaged over ``recent`` (``D off`` when the discriminator is not run); the ETA is at most
    ``seconds_left`` (of a time budget)."""
    mean = {key: float(np.mean([r[key] for r in recent])) for key in recent[-1]}
    eta_min = max(0.0, min((total - done) * seconds_per_step, seconds_left)) / 60.0
    discriminator = f"{mean['d_hinge']:.3f}" if "d_hinge" in mean else "off"
    return (f"step {done}/{total}  G {mean['total']:.3f} (l1 {mean['rgbd_l1']:.4f} perc {mean['perceptual']:.3f} "
            f"fm {mean['feature_matching']:.3f} adv {mean['adversarial']:.3f} kl {mean['kl']:.2f})  "
            f"D {discriminator}  {seconds_per_step:.2f} s/step  ETA {eta_min:.0f} min")
