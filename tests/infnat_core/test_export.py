import errno
import os
import stat
import subprocess
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from infnat_core import export
from infnat_core.errors import InfnatError
from infnat_core.export import FRAME_NAME, open_writer

W, H = 64, 48
N = 10


def _frames(n: int = N, w: int = W, h: int = H) -> list[np.ndarray]:
    """Moving smooth content plus saturated patches: what a black, banded or colour-shifted export would break."""
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    frames = []
    for i in range(n):
        phase = i / n
        f = np.stack([x, 0.5 + 0.4 * np.sin(6 * (y + phase)), 1.0 - 0.7 * x * y], axis=-1)
        f = (f * 255).astype(np.uint8)
        f[:12, :12] = (255, 0, 0)
        f[:12, 12:24] = (0, 255, 0)
        f[:12, 24:36] = (0, 0, 255)
        frames.append(f)
    return frames


def _write(out, frames, fps=24.0):
    with open_writer(out, fps=fps, size=(frames[0].shape[1], frames[0].shape[0])) as writer:
        for f in frames:
            writer.write(f)
    return writer


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class TestMp4:
    def test_round_trip(self, tmp_path):
        frames = _frames()
        _write(tmp_path / "f.mp4", frames)
        back = iio.imread(tmp_path / "f.mp4", plugin="FFMPEG")
        assert back.shape == (N, H, W, 3)
        err = np.abs(back.astype(int) - np.stack(frames).astype(int))
        assert err.mean() < 5.0  # x264 at CRF 18 on tiny synthetic frames gives about 3.3
        for k, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):  # no colour-matrix shift
            patch = back[:, 3:9, 12 * k + 3 : 12 * k + 9].reshape(-1, 3).mean(axis=0)
            np.testing.assert_allclose(patch, colour, atol=8)
        assert _entries(tmp_path) == ["f.mp4"]

    def test_players_see_bt709(self, tmp_path):
        red = np.zeros((H, W, 3), np.uint8)
        red[..., 0] = 255
        _write(tmp_path / "red.mp4", [red])
        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
        info = subprocess.run([ffmpeg, "-hide_banner", "-i", tmp_path / "red.mp4"], capture_output=True, text=True)
        assert "yuv420p(tv, bt709" in info.stderr  # tagged, so players do not guess BT.601
        raw = subprocess.run([ffmpeg, "-v", "error", "-i", tmp_path / "red.mp4", "-f", "rawvideo", "-"],
                             capture_output=True, check=True).stdout  # fmt: skip
        luma = np.frombuffer(raw[: W * H], np.uint8)
        assert abs(float(luma.mean()) - (16 + 219 * 0.2126)) < 2  # and encoded with the BT.709 matrix it claims

    def test_odd_size_is_padded_not_rescaled(self, tmp_path):
        frames = _frames(4, w=W + 1, h=H + 1)
        writer = _write(tmp_path / "odd.mp4", frames)
        assert writer.stored_size == (W + 2, H + 2)
        back = iio.imread(tmp_path / "odd.mp4", plugin="FFMPEG")
        assert back.shape == (4, H + 2, W + 2, 3)
        assert np.abs(back[:, : H + 1, : W + 1].astype(int) - np.stack(frames)).mean() < 5.0
        np.testing.assert_allclose(back[:, 20:, -1].astype(int), back[:, 20:, -2], atol=6)  # padding repeats the edge

    def test_keyboard_interrupt_leaves_nothing(self, tmp_path):
        (tmp_path / "f.mp4").write_bytes(b"previous export")
        with pytest.raises(KeyboardInterrupt):
            with open_writer(tmp_path / "f.mp4", fps=24, size=(W, H)) as writer:
                writer.write(_frames(1)[0])
                raise KeyboardInterrupt
        assert _entries(tmp_path) == ["f.mp4"]
        assert (tmp_path / "f.mp4").read_bytes() == b"previous export"

    def test_output_permissions_follow_umask(self, tmp_path):
        _write(tmp_path / "f.mp4", _frames(2))
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE((tmp_path / "f.mp4").stat().st_mode) == 0o666 & ~umask


def _fake_ffmpeg(tmp_path: Path, monkeypatch, message: str, read_all: bool) -> None:
    """Replace ffmpeg by a script that writes part of its output file, then fails with ``message``."""
    script = tmp_path / "fake-ffmpeg"
    consume = "cat > /dev/null" if read_all else "head -c 100 > /dev/null"
    lines = ["#!/bin/sh", "for last; do :; done", 'printf partial > "$last"', consume]
    lines += [f'echo "{message}" >&2', "exit 1"]
    script.write_text("\n".join(lines) + "\n")
    script.chmod(0o755)
    monkeypatch.setattr(export.imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(script))


class TestFfmpegFailures:
    # read_all=False: ffmpeg dies while frames are still being sent; True: it fails when finishing the file.
    @pytest.mark.parametrize("read_all", [False, True])
    def test_disk_full(self, tmp_path, monkeypatch, read_all):
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        (out_dir / "f.mp4").write_bytes(b"previous export")
        _fake_ffmpeg(tmp_path, monkeypatch, "av_interleaved_write_frame(): No space left on device", read_all)
        with pytest.raises(InfnatError, match=r"Disk full while writing '.*f\.mp4'"):
            _write(out_dir / "f.mp4", _frames(40))  # 40 frames overflow the pipe buffer
        assert _entries(out_dir) == ["f.mp4"]
        assert (out_dir / "f.mp4").read_bytes() == b"previous export"

    def test_other_failure_reports_ffmpeg_message(self, tmp_path, monkeypatch):
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        _fake_ffmpeg(tmp_path, monkeypatch, "Unknown encoder 'libx264'", True)
        with pytest.raises(InfnatError, match="ffmpeg failed while writing .*Unknown encoder 'libx264'"):
            _write(out_dir / "f.gif", _frames(2))
        assert _entries(out_dir) == []


class TestGif:
    def test_round_trip(self, tmp_path):
        frames = _frames()
        _write(tmp_path / "f.gif", frames, fps=20)
        back = iio.imread(tmp_path / "f.gif", plugin="pillow", mode="RGB")
        assert back.shape == (N, H, W, 3)
        assert np.abs(back.astype(int) - np.stack(frames)).mean() < 6.0  # about 4 with dithering
        np.testing.assert_allclose(back[:, 3:9, 3:9].reshape(-1, 3).mean(axis=0), (255, 0, 0), atol=2)

    def test_smooth_gradient_is_dithered_not_banded(self, tmp_path):
        y, x = np.mgrid[0:128, 0:128]
        gradient = np.stack([2 * x, 2 * y, np.full_like(x, 128)], axis=-1).astype(np.uint8)  # 16k colours
        _write(tmp_path / "g.gif", [gradient, gradient])
        err = iio.imread(tmp_path / "g.gif", plugin="pillow", mode="RGB").astype(float) - gradient
        # Dithering noise averages out over 8x8 blocks; the flat steps of a banded palette do not
        # (0.8 here with dithering, 1.2 with the same palette undithered, far more with a coarse palette).
        block_err = err.reshape(2, 16, 8, 16, 8, 3).mean(axis=(2, 4))
        assert np.abs(block_err).mean() < 1.0

    def test_loops_forever_at_the_frame_rate(self, tmp_path):
        _write(tmp_path / "f.gif", _frames(3), fps=20)
        with Image.open(tmp_path / "f.gif") as gif:
            assert gif.info["loop"] == 0
            assert gif.info["duration"] == 50

    def test_too_fast_is_refused(self, tmp_path):
        with pytest.raises(InfnatError, match="at most 50"):
            open_writer(tmp_path / "f.gif", fps=60, size=(W, H))
        assert _entries(tmp_path) == []


class TestPngSequence:
    @pytest.mark.parametrize("name", ["frames/", "frames"])
    def test_exact_round_trip(self, tmp_path, name):
        frames = _frames(3)
        _write(str(tmp_path / name) + ("/" if name.endswith("/") else ""), frames)
        out = tmp_path / "frames"
        assert _entries(out) == [FRAME_NAME.format(i) for i in range(3)] == ["frame_00000.png", "frame_00001.png",
                                                                              "frame_00002.png"]
        for i, f in enumerate(frames):
            np.testing.assert_array_equal(np.asarray(Image.open(out / FRAME_NAME.format(i))), f)
        assert _entries(tmp_path) == ["frames"]

    def test_existing_empty_folder(self, tmp_path):
        (tmp_path / "out.mp4").mkdir()  # an existing folder is a PNG sequence whatever its name
        _write(tmp_path / "out.mp4", _frames(2))
        assert _entries(tmp_path / "out.mp4") == ["frame_00000.png", "frame_00001.png"]

    def test_replaces_an_earlier_export_as_a_whole(self, tmp_path):
        _write(tmp_path / "seq", _frames(5))
        _write(tmp_path / "seq", _frames(2)[::-1])
        assert _entries(tmp_path / "seq") == ["frame_00000.png", "frame_00001.png"]
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "seq" / "frame_00000.png")), _frames(2)[1])
        assert _entries(tmp_path) == ["seq"]

    def test_refuses_folder_with_other_files(self, tmp_path):
        (tmp_path / "seq").mkdir()
        (tmp_path / "seq" / "holiday.jpg").write_bytes(b"precious")
        with pytest.raises(InfnatError, match="already holds other files"):
            open_writer(tmp_path / "seq", fps=24, size=(W, H))
        assert _entries(tmp_path / "seq") == ["holiday.jpg"]
        assert _entries(tmp_path) == ["seq"]

    def test_current_folder(self, tmp_path, monkeypatch):
        (tmp_path / "work").mkdir()
        monkeypatch.chdir(tmp_path / "work")
        _write(".", _frames(1))
        assert _entries(tmp_path / "work") == ["frame_00000.png"]
        assert _entries(tmp_path) == ["work"]

    def test_refuses_a_file(self, tmp_path):
        (tmp_path / "seq").write_bytes(b"x")
        with pytest.raises(InfnatError, match="is a file"):
            open_writer(tmp_path / "seq", fps=24, size=(W, H))

    def test_disk_full_removes_partial_frames(self, tmp_path, monkeypatch):
        real_save = Image.Image.save
        calls = []

        def fill_up(self, fp, *args, **kwargs):
            calls.append(fp)
            if len(calls) == 3:
                Path(fp).write_bytes(b"partial")
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_save(self, fp, *args, **kwargs)

        monkeypatch.setattr(Image.Image, "save", fill_up)
        with pytest.raises(InfnatError, match="Disk full while writing"):
            _write(tmp_path / "seq/", _frames(5))
        assert _entries(tmp_path) == []


class TestAnyFormat:
    @pytest.mark.parametrize("name", ["f.mp4", "f.gif", "seq/"])
    def test_error_inside_the_block_leaves_no_output(self, tmp_path, name):
        with pytest.raises(RuntimeError, match="renderer crashed"):
            with open_writer(str(tmp_path / name), fps=24, size=(W, H)) as writer:
                writer.write(_frames(1)[0])
                raise RuntimeError("renderer crashed")
        assert _entries(tmp_path) == []

    @pytest.mark.parametrize("name", ["f.mp4", "f.gif", "seq/"])
    def test_no_frames_is_an_error_and_leaves_nothing(self, tmp_path, name):
        with pytest.raises(InfnatError, match="no frames were written"):
            with open_writer(str(tmp_path / name), fps=24, size=(W, H)):
                pass
        assert _entries(tmp_path) == []

    def test_float_frames_are_not_black(self, tmp_path):
        _write(tmp_path / "seq", [f.astype(np.float32) / 255 for f in _frames(1)])
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "seq" / "frame_00000.png")), _frames(1)[0])

    def test_wrong_frame_size(self, tmp_path):
        with pytest.raises(ValueError, match="does not match"):
            with open_writer(tmp_path / "f.gif", fps=24, size=(W, H)) as writer:
                writer.write(np.zeros((H, W + 2, 3), np.uint8))
        assert _entries(tmp_path) == []

    def test_unknown_suffix(self, tmp_path):
        with pytest.raises(InfnatError, match=r"Unknown export format '\.avi'.*\.mp4, \.gif"):
            open_writer(tmp_path / "f.avi", fps=24, size=(W, H))

    @pytest.mark.parametrize("name", ["f.mp4", "seq/"])
    def test_missing_output_folder(self, tmp_path, name):
        with pytest.raises(InfnatError, match="does not exist"):
            open_writer(str(tmp_path / "missing" / name), fps=24, size=(W, H))

    @pytest.mark.parametrize("fps,size", [(0, (W, H)), (float("nan"), (W, H)), (24, (0, H))])
    def test_bad_settings(self, tmp_path, fps, size):
        with pytest.raises(InfnatError, match="must be positive"):
            open_writer(tmp_path / "f.mp4", fps=fps, size=size)
