"""infnat engine: image → depth → mesh → render → refine → repeat. Imports no Qt."""
