"""``infnat eval`` end to end, tiny: it flies, scores and writes a report with figures."""

from __future__ import annotations

import torch
from PIL import Image

from infnat_core.cli import main
from infnat_core.data.synthetic import SyntheticConfig
from infnat_core.data.terrain import TerrainConfig
from infnat_core.data.terrain_mesh import TerrainMeshConfig
from infnat_core.data.terrain_render import TerrainRenderConfig
from infnat_core.evaluation.long_range import LongRangeConfig
from infnat_core.evaluation.report import FILL, NETWORK, EvalConfig, evaluate
from infnat_core.evaluation.short_range import ShortRangeConfig
from infnat_core.evaluation.plots import contact_sheet, line_chart
from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder
from infnat_core.refiner.weights import save_weights

TINY = RefinerConfig(height=32, width=64, trunk_channels=(16, 16, 16, 16, 8, 8, 8), spade_hidden=8, style_dim=16,
                     encoder_channels=(8, 8, 8, 8, 8))


def test_evaluate_writes_a_report_with_figures(tmp_path):
    torch.manual_seed(0)
    weights = tmp_path / "tiny.safetensors"
    save_weights(weights, SPADEGenerator(TINY), StyleEncoder(TINY), TINY)
    data = SyntheticConfig(terrain=TerrainConfig(candidates=2), mesh=TerrainMeshConfig(vertices_per_side=64),
                           render=TerrainRenderConfig(supersample=1))
    config = EvalConfig(
        short_range=ShortRangeConfig(flights=1, steps=(1, 2), width=64, height=40, data=data, examples=1),
        long_range=LongRangeConfig(frames=4, tail=2, sheet_frames=(0, 2, 4), width=64, height=40),
        speed_repeats=1,
    )
    summary = evaluate(weights, tmp_path / "eval", config)
    assert set(summary.short_range.lpips) == {FILL, NETWORK}
    assert all(len(v) == 2 for v in summary.short_range.lpips.values())
    flights = summary.long_range["bundled photo"]
    assert flights[FILL].finite and sorted(flights[NETWORK].sheet) == [0, 2, 4]
    assert summary.speed_ms["infinite_nature"] > 0
    report = (tmp_path / "eval" / "report.md").read_text()
    assert "| 2 |" in report and "classical fill" in report and "speed-up" in report
    assert "Depth of the long flights' photos: learned depth.safetensors" in report
    assert "Inside the holes only" in report
    for name in ("short_range_lpips.png", "short_range_examples.png", "long_range_bundled_photo.png"):
        assert Image.open(tmp_path / "eval" / name).size[0] >= 128, name


def test_eval_command_refuses_missing_weights(tmp_path, capsys):
    assert main(["eval", "--weights", str(tmp_path / "none.safetensors"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_line_chart_and_contact_sheet_sizes(tmp_path):
    line_chart({"a": [(0, 1.0), (1, 0.5)], "b": [(0, 2.0), (1, float("nan"))]}, tmp_path / "c.png", log_y=True,
               size=(300, 200))
    assert Image.open(tmp_path / "c.png").size == (300, 200)
    tile = torch.rand(20, 40, 3).numpy()
    contact_sheet([[tile, tile], [tile]], [["x", "y"], ["z"]], tmp_path / "s.png", tile_width=80)
    assert Image.open(tmp_path / "s.png").size == (160, 2 * (40 + 16))
