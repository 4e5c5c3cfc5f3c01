"""The GL context that data sources render with: one per process, made on first use.

moderngl's standalone contexts are not made current per call, so two contexts in one process interfere; every data
source of a process therefore shares one (``process_context``), or an existing one handed over with
``share_context`` (e.g. a test session's). A ``torch.utils.data.DataLoader`` copies datasets into worker processes:
``ProcessRenderers`` pickles to an empty shell and rebuilds its renderers in the worker on first use.

One limit comes from Mesa: a process forked *after* its parent made a GL context hangs when it makes its own. Workers
are safe when the parent has not rendered yet, or when started with ``multiprocessing_context="spawn"``; a forked
worker of a parent that rendered gets an ``InfnatError`` saying so instead of hanging.
"""

from __future__ import annotations

import os

import moderngl

from infnat_core.data.terrain_render import TerrainRenderConfig, TerrainRenderer
from infnat_core.errors import InfnatError
from infnat_core.gl import create_headless_context
from infnat_core.render import MeshRenderer

_process_context: tuple[int, moderngl.Context] | None = None
"""(process id, context); a forked child inherits its parent's entry, which is how it is recognised."""


def process_context() -> moderngl.Context:
    """This process's context for rendering training data (a headless EGL one unless ``share_context`` gave one)."""
    global _process_context
    if _process_context is None:
        _process_context = (os.getpid(), create_headless_context())
    elif _process_context[0] != os.getpid():
        raise InfnatError(
            "this data worker was forked from a process that had already rendered (Mesa would hang); "
            "start DataLoader workers with multiprocessing_context='spawn', or draw no sample before them"
        )
    return _process_context[1]


def share_context(ctx: moderngl.Context) -> None:
    """Render training data with ``ctx`` (a context this process already has) instead of making another."""
    global _process_context
    _process_context = (os.getpid(), ctx)


class ProcessRenderers:
    """A keyframe ``MeshRenderer`` and a ``TerrainRenderer`` on the process context, made on demand."""

    def __init__(self, terrain_config: TerrainRenderConfig = TerrainRenderConfig()):
        self.terrain_config = terrain_config
        self._ctx: moderngl.Context | None = None
        self._mesh: MeshRenderer | None = None
        self._terrain: TerrainRenderer | None = None

    def __getstate__(self) -> dict:
        return {"terrain_config": self.terrain_config}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["terrain_config"])

    def _context(self) -> moderngl.Context:
        ctx = process_context()
        if ctx is not self._ctx:
            self._ctx, self._mesh, self._terrain = ctx, None, None
        return ctx

    @property
    def mesh(self) -> MeshRenderer:
        """The keyframe warp renderer."""
        ctx = self._context()
        if self._mesh is None:
            self._mesh = MeshRenderer(ctx)
        return self._mesh

    @property
    def terrain(self) -> TerrainRenderer:
        """The synthetic terrain renderer."""
        ctx = self._context()
        if self._terrain is None:
            self._terrain = TerrainRenderer(ctx, self.terrain_config)
        return self._terrain
