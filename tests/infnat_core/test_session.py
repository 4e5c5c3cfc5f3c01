import dataclasses

import numpy as np

from infnat_core import camera
from infnat_core.refiner.inference import FillRefiner
from infnat_core.render import MeshRenderer, RenderOutput
from infnat_core.scene import SceneConfig, load_scene
from infnat_core.session import FlightSession, SessionConfig, refined_keyframe


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


def test_refined_keyframe_leaves_the_photos_pixels_to_the_photo_layer(gl_ctx):
    scene = load_scene(None, config=SceneConfig(mesh_max_side=96))
    renderer = MeshRenderer(gl_ctx)
    session = FlightSession(scene, renderer, FillRefiner(), 96, 64, SessionConfig(sky_at_infinity=False))
    pose = camera.identity_pose()
    pose[0, 3] = -0.15  # the camera moves right: the photo no longer fills the right edge of the view
    frame = session.step(pose)
    keyframe = session.keyframe
    assert keyframe.coverage is not None
    # The keyframe draws the painted right edge (and the torn gaps), not the bulk the photo still shows.
    assert keyframe.coverage[:, -2:].min() == 1.0
    assert keyframe.coverage.mean() < 0.4
    # Seen again from the same view, the layers together show what the keyframe drawn in full shows.
    again = session.render(pose)
    session.set_keyframe(dataclasses.replace(keyframe, coverage=None))
    full = session.render(pose)
    assert again.hole_fraction <= full.hole_fraction + 0.002
    assert np.abs(again.rgb - frame.rgb)[again.mask > 0.5].mean() < 0.03
    # Without the photo layer the keyframe draws everything it shows.
    plain = refined_keyframe(frame.rgb, frame.disparity, RenderOutput(frame.rgb, frame.disparity,
                             np.ones(frame.disparity.shape, np.float32)), pose, session.intrinsics, 96)
    assert plain.coverage is None


def test_frames_show_the_detail_texture_but_keyframes_stay_without_it(gl_ctx):
    scene = load_scene(None, config=SceneConfig(mesh_max_side=96))
    pose = camera.identity_pose()
    pose[2, 3] = -0.1
    frames = {}
    for strength in (0.0, 1.0):
        # Without the photo layer, the second frame is drawn from the first refined keyframe alone.
        session = FlightSession(scene, MeshRenderer(gl_ctx), FillRefiner(), 96, 64,
                                SessionConfig(detail_strength=strength, anchor_photo=False))
        session.step(camera.identity_pose())
        frame = session.step(pose)
        frames[strength] = frame.rgb
        if strength:
            # The keyframe holds the refined render; only the finished frame carries the detail.
            assert np.abs(frame.rgb - session.keyframe.rgb).max() > 0.05
    changed = np.abs(frames[1.0] - frames[0.0]).max(axis=-1) > 2 / 255
    assert changed.mean() > 0.3
