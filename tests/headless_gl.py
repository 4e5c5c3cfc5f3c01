"""One thread, two window-system APIs: the engine's headless EGL context and the app's Qt (GLX) contexts.

libglvnd refuses to make a GLX context current on a thread that has a current EGL context (and the other way
round), so a Qt GL widget shown after an in-process headless render (a ``fly`` run, a render test) never draws.
The app tests release the EGL context first; the engine tests release Qt's and make theirs current again
(moderngl does not do it before each call).
"""

from __future__ import annotations

import ctypes

_EGL = ctypes.CDLL("libEGL.so.1")
for _name in ("eglGetCurrentContext", "eglGetCurrentDisplay", "eglGetCurrentSurface"):
    getattr(_EGL, _name).restype = ctypes.c_void_p
_EGL.eglGetCurrentSurface.argtypes = [ctypes.c_int]
_EGL.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
_EGL.eglMakeCurrent.restype = ctypes.c_uint
_EGL_DRAW, _EGL_READ = 0x3059, 0x305A
_GLX = ctypes.CDLL("libGL.so.1")
for _name in ("glXGetCurrentContext", "glXGetCurrentDisplay"):
    getattr(_GLX, _name).restype = ctypes.c_void_p
_GLX.glXMakeCurrent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]

Binding = tuple[int | None, int | None, int | None, int | None]
"""(display, draw surface, read surface, context) of the EGL context current on this thread."""


def current_egl() -> Binding:
    """The EGL binding current on this thread (context None = none)."""
    return (_EGL.eglGetCurrentDisplay(), _EGL.eglGetCurrentSurface(_EGL_DRAW), _EGL.eglGetCurrentSurface(_EGL_READ),
            _EGL.eglGetCurrentContext())


def make_current(binding: Binding) -> None:
    """Make ``binding`` current on this thread (releasing a current GLX context first), unless it already is."""
    if current_egl()[3] == binding[3]:
        return
    release_glx()
    if not _EGL.eglMakeCurrent(*binding):
        raise RuntimeError("eglMakeCurrent failed for the engine's headless context")


def release_glx() -> None:
    """Make no GLX context current on this thread (so an EGL context can be)."""
    if _GLX.glXGetCurrentContext():
        _GLX.glXMakeCurrent(_GLX.glXGetCurrentDisplay(), 0, None)


def release_egl() -> None:
    """Make no EGL context current on this thread (so a GLX context can be)."""
    display, _, _, context = current_egl()
    if context and not _EGL.eglMakeCurrent(display, None, None, None):
        raise RuntimeError("eglMakeCurrent could not release the engine's headless context")
