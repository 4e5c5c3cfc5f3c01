"""Headless OpenGL context creation (EGL, so no display is needed)."""

from __future__ import annotations

import moderngl

from infnat_core.errors import InfnatError

REQUIRED_GL = 330


def create_headless_context() -> moderngl.Context:
    """A standalone moderngl context through EGL (works without X; Mesa llvmpipe when there is no GPU)."""
    try:
        ctx = moderngl.create_context(standalone=True, backend="egl", require=REQUIRED_GL)
    except Exception as exc:  # moderngl/glcontext raise plain Exceptions with driver text
        raise InfnatError(
            f"could not create an OpenGL {REQUIRED_GL // 100}.{REQUIRED_GL % 100 // 10} context through EGL ({exc}); "
            "install the EGL/Mesa libraries (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1)"
        ) from exc
    return ctx
