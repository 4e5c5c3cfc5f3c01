import numpy as np

from infnat_core import camera
from infnat_core.refiner.inference import FillRefiner
from infnat_core.render import MeshRenderer
from infnat_core.scene import SceneConfig, load_scene
from infnat_core.session import FlightSession, SessionConfig


class CountingRefiner(FillRefiner):
    """The classical fill, counting how often the session asks it to refine."""

    name = "counting"

    def __init__(self):
        self.calls = 0

    def refine(self, rgb, disparity, mask):
        self.calls += 1
        return super().refine(rgb, disparity, mask)


def test_refiner_runs_only_on_keyframes(gl_ctx):
    scene = load_scene(None, config=SceneConfig(mesh_max_side=96))
    refiner = CountingRefiner()
    session = FlightSession(scene, MeshRenderer(gl_ctx), refiner, 64, 40, SessionConfig(refine_every=3))
    pose = camera.identity_pose()
    frames = []
    for i in range(7):
        pose[2, 3] = -0.02 * i
        frames.append(session.step(pose))
    assert [f.refined for f in frames] == [True, False, False, True, False, False, True]
    assert refiner.calls == 3
    # Frames between keyframes are still painted: no black holes.
    assert min(f.rgb.mean() for f in frames) > 0.1 and all(np.isfinite(f.disparity).all() for f in frames)
