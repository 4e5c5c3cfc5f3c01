"""Writing a flight to disk as MP4, GIF or a PNG sequence, atomically.

The format follows the output path:

* ``*.mp4`` — H.264 (libx264 from imageio-ffmpeg's ffmpeg), yuv420p with BT.709 colour tags, ``+faststart``.
  yuv420p needs even sizes: an odd width or height is padded by repeating the last column or row (the video is then
  one pixel wider or taller, see ``FrameWriter.stored_size``); frames are never rescaled.
* ``*.gif`` — a palette computed per frame by ffmpeg's palettegen/paletteuse with error-diffusion dithering
  (no banding), looping forever. GIF timing is in 1/100 s, so at most 50 fps.
* a folder — an existing folder, a path ending in ``/``, or a path with no suffix — ``frame_00000.png``, … .
  The folder may not exist yet, be empty, or hold only an earlier export's ``frame_*.png`` files (which are replaced
  as a whole); a folder with anything else in it is refused so no one's files are deleted.

Frames go to a temporary file or folder beside the output, which is moved into place only when the writer's
``with`` block ends without an error. On any error, including KeyboardInterrupt, the temporary output is removed,
an existing file or folder at the output path is left untouched, and the exception propagates. Disk-full and ffmpeg
failures raise ``InfnatError``.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import imageio_ffmpeg
import numpy as np
from PIL import Image

from infnat_core.errors import InfnatError
from infnat_core.image_io import as_uint8, check_output_folder, temp_sibling, write_error

FRAME_NAME = "frame_{:05d}.png"
"""File name of frame ``i`` in a PNG sequence."""

MAX_GIF_FPS = 50.0
"""GIF frame delays are whole hundredths of a second, and players slow down delays under 2/100 s."""

_FRAME_FILE = re.compile(r"frame_\d{5,}\.png")


@dataclass(frozen=True)
class ExportConfig:
    """Encoder settings for ``open_writer``."""

    mp4_crf: int = 18
    """x264 constant rate factor: 0 is lossless, 51 the worst; 18 is visually lossless."""
    mp4_preset: str = "medium"
    """x264 speed/size trade-off, from "ultrafast" to "veryslow" (slower gives smaller files, same quality)."""
    png_compress_level: int = 1
    """zlib level of PNG frames, 0 (fastest, largest) to 9 (slowest); pixels are exact at any level. On photo-like
    1024×640 frames level 1 takes 61 ms and level 6 185 ms, for files only 6 % larger."""


class FrameWriter(ABC):
    """Receives a flight's frames one at a time; use it as a context manager (see the module docstring).

    ``size`` is the (width, height) of the frames given to ``write``; ``stored_size`` is what ends up on disk.
    """

    def __init__(self, out: Path, tmp: Path, size: tuple[int, int], stored_size: tuple[int, int]):
        self.path = out
        self.size = size
        self.stored_size = stored_size
        self.frames_written = 0
        self._tmp = tmp

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            if self.frames_written == 0:
                raise InfnatError(f"Nothing exported to '{self.path}': no frames were written")
            self._commit()
        except BaseException:
            self._discard()
            raise

    def write(self, frame: np.ndarray) -> None:
        """Append a frame: ``(H, W, 3)`` uint8 (or float in [0, 1]) with (W, H) equal to ``size``."""
        w, h = self.size
        if frame.shape != (h, w, 3):
            raise ValueError(f"frame of shape {frame.shape} does not match the writer's size {w}x{h}")
        frame = as_uint8(frame)
        sw, sh = self.stored_size
        if (sw, sh) != (w, h):
            frame = np.pad(frame, ((0, sh - h), (0, sw - w), (0, 0)), mode="edge")
        try:
            self._write_frame(frame)
        except OSError as exc:
            raise write_error(exc, self.path) from None
        self.frames_written += 1

    @abstractmethod
    def _write_frame(self, frame: np.ndarray) -> None:
        """Append a ``stored_size`` uint8 frame to the temporary output."""

    @abstractmethod
    def _commit(self) -> None:
        """Complete the temporary output and move it to ``path``."""

    @abstractmethod
    def _discard(self) -> None:
        """Remove every temporary file and stop any helper process."""


class _FfmpegWriter(FrameWriter):
    """MP4 or GIF: raw RGB frames piped into an ffmpeg process that writes a temporary file."""

    def __init__(self, out: Path, fps: float, size: tuple[int, int], stored_size: tuple[int, int], args: list[str]):
        try:
            exe = imageio_ffmpeg.get_ffmpeg_exe()
        except RuntimeError:
            raise InfnatError("ffmpeg was not found; reinstall the imageio-ffmpeg package") from None
        tmp = temp_sibling(out)
        try:
            tmp.touch(exist_ok=False)  # now, so an unwritable folder is reported before any frame is made
        except OSError as exc:
            raise write_error(exc, out) from None
        super().__init__(out, tmp, size, stored_size)
        w, h = stored_size
        rate = str(Fraction(fps).limit_denominator(1001))
        cmd = [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", rate, "-i", "pipe:0",
               "-an", *args, str(tmp)]  # fmt: skip
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: ffmpeg can never block on a full pipe
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
                start_new_session=True,  # Ctrl-C reaches Python, which then stops ffmpeg and cleans up
            )
        except OSError as exc:
            self._stderr.close()
            tmp.unlink()
            raise InfnatError(f"Cannot start ffmpeg ({exc}); reinstall the imageio-ffmpeg package") from None

    def _write_frame(self, frame: np.ndarray) -> None:
        try:
            self._proc.stdin.write(frame.tobytes())
        except BrokenPipeError:  # ffmpeg has exited: its own message says why
            self._proc.wait()
            raise self._ffmpeg_error() from None

    def _commit(self) -> None:
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg exited early; its exit status below tells why
        if self._proc.wait() != 0:
            raise self._ffmpeg_error()
        self._stderr.close()
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            raise write_error(exc, self.path) from None

    def _ffmpeg_error(self) -> InfnatError:
        self._stderr.seek(0)
        message = self._stderr.read().decode(errors="replace").strip()
        if "No space left on device" in message:
            return write_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), self.path)
        last = message.splitlines()[-1] if message else f"exit status {self._proc.returncode}"
        return InfnatError(f"ffmpeg failed while writing '{self.path}': {last}")

    def _discard(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        self._stderr.close()
        self._tmp.unlink(missing_ok=True)


class _PngSequenceWriter(FrameWriter):
    """PNG frames written into a temporary folder that replaces the output folder at the end."""

    def __init__(self, out: Path, size: tuple[int, int], compress_level: int):
        _check_sequence_folder(out)
        tmp = temp_sibling(out)
        try:
            tmp.mkdir()
        except OSError as exc:
            raise write_error(exc, out) from None
        super().__init__(out, tmp, size, size)
        self._compress_level = compress_level

    def _write_frame(self, frame: np.ndarray) -> None:
        name = FRAME_NAME.format(self.frames_written)
        Image.fromarray(frame).save(self._tmp / name, format="PNG", compress_level=self._compress_level)

    def _discard(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _commit(self) -> None:
        _check_sequence_folder(self.path)
        try:
            if not self.path.exists():
                os.rename(self._tmp, self.path)
                return
            # Swap: the old folder steps aside, the new one takes its name, then the old one is deleted.
            trash = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".old"))
            os.rename(self.path, trash / self.path.name)
            try:
                os.rename(self._tmp, self.path)
            except OSError:
                os.rename(trash / self.path.name, self.path)
                trash.rmdir()
                raise
            shutil.rmtree(trash, ignore_errors=True)
        except OSError as exc:
            raise write_error(exc, self.path) from None


def open_writer(
    out: str | os.PathLike, *, fps: float, size: tuple[int, int], config: ExportConfig = ExportConfig()
) -> FrameWriter:
    """A writer for frames of ``size`` = (width, height) at ``fps``, in the format the path names (module docstring).

    Checks everything it can before any frame is made: an unknown suffix, a missing output folder, a folder holding
    other files, or a GIF over ``MAX_GIF_FPS`` raise ``InfnatError`` here.
    """
    w, h = size
    if w < 1 or h < 1:
        raise InfnatError(f"Frame size must be positive, got {w}x{h}")
    if not fps > 0:
        raise InfnatError(f"Frame rate must be positive, got {fps}")
    as_folder = str(out).endswith(("/", os.sep))
    out = Path(os.path.abspath(out))  # "." and ".." resolved (a temp sibling needs a real parent); links kept
    check_output_folder(out)
    suffix = out.suffix.lower()
    if as_folder or out.is_dir() or suffix == "":
        return _PngSequenceWriter(out, size, config.png_compress_level)
    if suffix == ".mp4":
        stored = (w + w % 2, h + h % 2)
        args = ["-c:v", "libx264", "-preset", config.mp4_preset, "-crf", str(config.mp4_crf),
                # the matrix is named as well as tagged: some ffmpeg builds convert with BT.601 whatever the tag says
                "-vf", "scale=out_color_matrix=bt709:out_range=tv", "-pix_fmt", "yuv420p",
                "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
                "-movflags", "+faststart", "-f", "mp4"]  # fmt: skip
        return _FfmpegWriter(out, fps, size, stored, args)
    if suffix == ".gif":
        if fps > MAX_GIF_FPS:
            raise InfnatError(
                f"GIF cannot play {fps:g} fps (at most {MAX_GIF_FPS:g}); lower the frame rate or export .mp4"
            )
        palette = "split[a][b];[a]palettegen=stats_mode=single[p];[b][p]paletteuse=new=1:dither=sierra2_4a"
        return _FfmpegWriter(out, fps, size, size, ["-filter_complex", palette, "-loop", "0", "-f", "gif"])
    raise InfnatError(
        f"Unknown export format '{out.suffix}' for '{out}'; use .mp4, .gif, or a folder (ending in '/') for PNG frames"
    )


def _check_sequence_folder(out: Path) -> None:
    """Refuse a PNG-sequence output that is a file, or a folder holding anything but ``frame_*.png`` files."""
    if out.exists() and not out.is_dir():
        raise InfnatError(f"'{out}' is a file; PNG frames need a folder: give a new folder name ending in '/'")
    if out.is_dir():
        foreign = [p.name for p in out.iterdir() if not (_FRAME_FILE.fullmatch(p.name) and p.is_file())]
        if foreign:
            raise InfnatError(
                f"Folder '{out}' already holds other files (e.g. '{foreign[0]}'); choose an empty or new folder"
            )
