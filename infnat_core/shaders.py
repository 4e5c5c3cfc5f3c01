"""GLSL sources, loaded by name from the top-level ``shaders/`` folder (shared by the app and the headless path)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SHADER_DIR = Path(__file__).resolve().parent.parent / "shaders"


def load_shader(name: str, defines: tuple[str, ...] = ()) -> str:
    """Source text of ``shaders/<name>`` (e.g. ``"mesh.vert"``), with ``#define`` lines for ``defines`` after its
    ``#version`` line (the variants a shader compiles with ``#ifdef``)."""
    version, rest = _source(name).split("\n", 1)
    return "\n".join([version, *(f"#define {d}" for d in defines), rest])


@cache
def _source(name: str) -> str:
    return (SHADER_DIR / name).read_text(encoding="utf-8")
