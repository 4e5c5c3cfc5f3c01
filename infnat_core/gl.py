"""Headless OpenGL contexts (EGL, so no display is needed).

moderngl does not make a standalone context current before each call, so two contexts used from one thread
interfere: headless engine code shares one context per process (``process_context``). A Mesa process forked after
it made a context hangs when it makes its own, so forked children refuse to (spawn workers instead).
"""

from __future__ import annotations

import os

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


_process_context: tuple[int, moderngl.Context] | None = None
"""(process id, context); a forked child inherits its parent's entry, which is how it is recognised."""


def process_context() -> moderngl.Context:
    """This process's shared headless context, made on first use (or the one given to ``share_context``)."""
    global _process_context
    if _process_context is None:
        _process_context = (os.getpid(), create_headless_context())
    elif _process_context[0] != os.getpid():
        raise InfnatError(
            "this worker was forked from a process that had already rendered (Mesa would hang); "
            "start workers with the 'spawn' start method, or render nothing before starting them"
        )
    return _process_context[1]


def share_context(ctx: moderngl.Context) -> None:
    """Make ``ctx`` (a context this process already has) the shared headless context."""
    global _process_context
    _process_context = (os.getpid(), ctx)
