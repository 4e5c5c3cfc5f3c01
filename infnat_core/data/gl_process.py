"""GL context and renderers for data sources, created lazily in whichever process first renders.

A ``torch.utils.data.DataLoader`` copies its dataset into worker processes; a GL context must not cross that
boundary. ``ProcessRenderers`` pickles to an empty shell and notices a fork by the process id, so each worker builds
its own context on its first sample. One limit comes from Mesa: a process forked *after* its parent made a GL context
hangs when it makes its own. Workers are safe when the parent has not rendered yet, or when they are started with
``multiprocessing_context="spawn"``; a forked worker of a parent that rendered gets an ``InfnatError`` saying so.
"""

from __future__ import annotations

import os

import moderngl

from infnat_core.data.terrain_render import TerrainRenderConfig, TerrainRenderer
from infnat_core.errors import InfnatError
from infnat_core.gl import create_headless_context
from infnat_core.render import MeshRenderer

_context_made_in: int | None = None
"""Process id that last made a context here (inherited by forked children, which is how they are recognised)."""


class ProcessRenderers:
    """Per-process headless context with a keyframe ``MeshRenderer`` and a ``TerrainRenderer``, made on demand."""

    def __init__(self, terrain_config: TerrainRenderConfig = TerrainRenderConfig()):
        self.terrain_config = terrain_config
        self._pid: int | None = None
        self._ctx: moderngl.Context | None = None
        self._mesh: MeshRenderer | None = None
        self._terrain: TerrainRenderer | None = None

    def __getstate__(self) -> dict:
        return {"terrain_config": self.terrain_config}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["terrain_config"])

    def _context(self) -> moderngl.Context:
        global _context_made_in
        if self._pid != os.getpid():  # first use, or a forked child holding the parent's (unusable) objects
            if _context_made_in is not None and _context_made_in != os.getpid():
                raise InfnatError(
                    "this data worker was forked from a process that had already rendered (Mesa would hang); "
                    "start DataLoader workers with multiprocessing_context='spawn', or draw no sample before them"
                )
            self._ctx = create_headless_context()
            _context_made_in = os.getpid()
            self._mesh = self._terrain = None
            self._pid = os.getpid()
        return self._ctx

    @property
    def mesh(self) -> MeshRenderer:
        """The keyframe warp renderer of this process."""
        ctx = self._context()
        if self._mesh is None:
            self._mesh = MeshRenderer(ctx)
        return self._mesh

    @property
    def terrain(self) -> TerrainRenderer:
        """The synthetic terrain renderer of this process."""
        ctx = self._context()
        if self._terrain is None:
            self._terrain = TerrainRenderer(ctx, self.terrain_config)
        return self._terrain
