import pytest

from infnat_core.evaluation.persistence import OutAndBackConfig, fly_out_and_back, out_and_back_poses, return_lpips
from infnat_core.keyframe_cache import KeyframeCacheConfig
from infnat_core.refiner.inference import FillRefiner
from infnat_core.render import MeshRenderer
from infnat_core.scene import SceneConfig, load_scene
from infnat_core.session import FlightSession, SessionConfig


@pytest.fixture(scope="module")
def scene():
    return load_scene(None, config=SceneConfig(mesh_max_side=96))


def _return_lpips(scene, gl_ctx, config: SessionConfig) -> float:
    poses = out_and_back_poses(OutAndBackConfig(frames=24, step=0.06, yaw_deg=25.0))
    session = FlightSession(scene, MeshRenderer(gl_ctx), FillRefiner(), 112, 72, config)
    outbound, back = fly_out_and_back(session, poses)
    return float(return_lpips(outbound[::4], back[::4]).mean())  # every 4th pose: VGG16 is slow on this CPU


def test_flying_back_finds_the_same_place_only_with_persistence(scene, gl_ctx):
    persistent = _return_lpips(scene, gl_ctx, SessionConfig())
    forgetful = _return_lpips(scene, gl_ctx, SessionConfig(anchor_photo=False, cache=KeyframeCacheConfig(max_keyframes=1)))
    assert persistent <= 0.25
    assert forgetful > 2 * persistent
