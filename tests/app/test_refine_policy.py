import numpy as np

from app.refine_policy import RefinePolicyConfig, pose_distance, refine_reason, refine_size
from infnat_core.camera import identity_pose

CFG = RefinePolicyConfig(hole_fraction=0.05, distance=0.5, rest_seconds=0.3)


def test_refine_reasons():
    assert refine_reason(0.06, 0.0, 0.0, False, CFG) == "holes"
    assert refine_reason(0.01, 0.6, 0.0, False, CFG) == "distance"
    assert refine_reason(0.01, 0.1, 0.3, False, CFG) == "rest"
    assert refine_reason(0.01, 0.1, 0.1, False, CFG) is None  # moving, small change


def test_no_refine_when_off_or_already_refined_here():
    assert refine_reason(0.9, 9.0, 9.0, True, CFG) is None
    off = RefinePolicyConfig(enabled=False)
    assert refine_reason(0.9, 9.0, 9.0, False, off) is None


def test_refine_size_keeps_aspect_and_never_exceeds_the_view():
    assert refine_size(1280, 720, 768) == (768, 432)
    assert refine_size(720, 1280, 768) == (432, 768)
    assert refine_size(400, 300, 768) == (400, 300)


def test_pose_distance_is_between_camera_centres():
    moved = identity_pose()
    moved[:, 3] = [0.0, 0.0, -2.0]  # camera at world z = +2
    assert np.isclose(pose_distance(identity_pose(), moved), 2.0)
