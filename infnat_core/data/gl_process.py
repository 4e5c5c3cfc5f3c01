"""Renderers for training data on the process's shared GL context (``infnat_core.gl.process_context``).

A ``torch.utils.data.DataLoader`` copies datasets into worker processes: ``ProcessRenderers`` pickles to an empty
shell and rebuilds its renderers in the worker on first use. Workers must be started with
``multiprocessing_context="spawn"`` once the parent has rendered (see ``infnat_core.gl``).
"""

from __future__ import annotations

import moderngl

from infnat_core.data.terrain_render import TerrainRenderConfig, TerrainRenderer
from infnat_core.gl import process_context
from infnat_core.render import MeshRenderer


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
