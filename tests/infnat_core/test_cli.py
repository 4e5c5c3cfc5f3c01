import json
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from infnat_core.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _run(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, timeout=600)


def test_fly_300_frames_default_image_end_to_end(tmp_path):
    out = tmp_path / "flight.mp4"
    rec = tmp_path / "path.json"
    result = _run("fly", "--frames", "300", "--size", "256x160", "--out", str(out), "--record", str(rec), "--quiet")
    assert result.returncode == 0, result.stderr
    frames = iio.imread(out, plugin="pyav") if False else np.stack(list(iio.imiter(out)))
    assert frames.shape == (300, 160, 256, 3)
    # The flight moves: the last frame differs from the first, and no frame is black or has unpainted holes.
    assert np.abs(frames[-1].astype(int) - frames[0].astype(int)).mean() > 10
    assert frames.reshape(300, -1).mean(axis=1).min() > 30
    poses = json.loads(rec.read_text())["frames"]
    assert len(poses) == 300
    # Forward flight: the camera ends up well in front of where it started (world z grows forward).
    last = np.array(poses[-1]["cam_from_world"])
    position = -last[:, :3].T @ last[:, 3]
    assert position[2] > 2.5


def test_replaying_a_recorded_path_reproduces_the_flight(tmp_path):
    rec = tmp_path / "path.json"
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["fly", "--frames", "12", "--size", "128x80", "--seed", "3", "--out", f"{a}/", "--record", str(rec),
                 "--quiet"]) == 0
    assert main(["fly", "--path", str(rec), "--size", "128x80", "--out", f"{b}/", "--quiet"]) == 0
    fa, fb = sorted(a.glob("*.png")), sorted(b.glob("*.png"))
    assert len(fa) == len(fb) == 12
    np.testing.assert_array_equal(iio.imread(fa[-1]), iio.imread(fb[-1]))


def test_seed_changes_the_route(tmp_path):
    recs = []
    for seed in (1, 2):
        rec = tmp_path / f"p{seed}.json"
        assert main(["fly", "--frames", "60", "--size", "64x40", "--seed", str(seed), "--out",
                     str(tmp_path / f"o{seed}.gif"), "--record", str(rec), "--quiet"]) == 0
        recs.append(np.array(json.loads(rec.read_text())["frames"][-1]["cam_from_world"]))
    assert np.abs(recs[0] - recs[1]).max() > 1e-3


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.jpg"], "missing.jpg"),
        (["{bad}"], "bad.png"),
        (["--size", "12x9"], "size"),
        (["--path", "{badjson}"], "path.json"),
        (["--refiner", "{badweights}"], "weights.safetensors"),
        (["--depth", "{baddepth}"], "depth.png"),
    ],
)
def test_bad_input_gives_one_line_and_no_output(tmp_path, capsys, args, message):
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    (tmp_path / "path.json").write_text('{"format": "infnat-flight", "version": 1, "frames": "nope"}')
    (tmp_path / "weights.safetensors").write_bytes(b"garbage" * 10)
    from PIL import Image

    Image.new("L", (50, 500)).save(tmp_path / "depth.png")  # wrong aspect for the default image
    subs = {"{bad}": str(tmp_path / "bad.png"), "{badjson}": str(tmp_path / "path.json"),
            "{badweights}": str(tmp_path / "weights.safetensors"), "{baddepth}": str(tmp_path / "depth.png")}
    args = [subs.get(a, a) for a in args]
    out = tmp_path / "out.mp4"
    with pytest.raises(SystemExit) if args[:1] == ["--size"] else _no_raise():
        code = main(["fly", *args, "--frames", "3", "--out", str(out), "--quiet"])
        assert code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err
    assert len(err.splitlines()) <= 2  # argparse adds a usage line
    assert not out.exists() and list(tmp_path.glob("*.mp4*")) == []


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_bad_input_from_the_shell_has_no_traceback(tmp_path):
    result = _run("fly", str(tmp_path / "nope.jpg"), "--out", str(tmp_path / "o.mp4"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nope.jpg" in result.stderr and "Traceback" not in result.stderr


def test_unknown_output_format_refused_before_work(tmp_path):
    code = main(["fly", "--frames", "2", "--out", str(tmp_path / "x.avi"), "--quiet"])
    assert code == 2


def test_fly_says_when_the_depth_default_falls_back(tmp_path, capsys, monkeypatch):
    from infnat_core.depth import HeuristicDepthEstimator, factory

    note = "no depth weights at assets/depth.safetensors; using the heuristic depth"
    monkeypatch.setattr(factory, "default_depth_estimator", lambda: (HeuristicDepthEstimator(), note))
    assert main(["fly", "--frames", "2", "--size", "64x40", "--out", f"{tmp_path}/a/"]) == 0
    assert f"infnat: {note}" in capsys.readouterr().err
    assert main(["fly", "--frames", "2", "--size", "64x40", "--depth", "heuristic", "--out", f"{tmp_path}/b/"]) == 0
    assert "depth" not in capsys.readouterr().err


def test_detail_option_textures_the_flight_and_zero_turns_it_off(tmp_path):
    last = {}
    for detail in ("0", "3"):
        out = tmp_path / f"d{detail}"
        assert main(["fly", "--frames", "300", "--size", "128x80", "--detail", detail, "--out", f"{out}/",
                     "--quiet"]) == 0
        last[detail] = iio.imread(sorted(out.glob("*.png"))[-1]).astype(np.float32)
    grain = {k: np.abs(np.diff(v.mean(axis=-1), axis=1)).mean() for k, v in last.items()}
    assert grain["3"] > 1.1 * grain["0"]  # the magnified ground shows texture
    with pytest.raises(SystemExit):
        main(["fly", "--detail", "-1", "--out", f"{tmp_path}/x/"])
