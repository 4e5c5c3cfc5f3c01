"""GLSL sources, loaded by name from the top-level ``shaders/`` folder (shared by the app and the headless path)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SHADER_DIR = Path(__file__).resolve().parent.parent / "shaders"


@cache
def load_shader(name: str) -> str:
    """Source text of ``shaders/<name>`` (e.g. ``"mesh.vert"``)."""
    return (SHADER_DIR / name).read_text(encoding="utf-8")
