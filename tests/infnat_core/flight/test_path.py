import json
import math
from pathlib import Path

import numpy as np
import pytest

from infnat_core.camera import camera_axes, camera_position, compose, identity_pose, pose_from_look, rotation_about
from infnat_core.errors import InfnatError
from infnat_core.flight.path import FlightPath, load_acid_txt, load_path, resample, save_path

K = np.array([0.8, 1.28, 0.5, 0.5])


def pose_at(position, yaw):
    """Pose at ``position`` turned ``yaw`` radians right of world +z, level."""
    return pose_from_look(np.asarray(position, float), np.array([math.sin(yaw), 0.0, math.cos(yaw)]), np.eye(3)[1])


def sample_path(n=5, times=True):
    poses = np.array([pose_at([0.1 * i, -0.05 * i, 0.3 * i], 0.2 * i) for i in range(n)])
    return FlightPath(poses, K, 30.0, np.arange(n) / 24.0 if times else None, "photos/lake.jpg")


class TestSaveLoad:
    @pytest.mark.parametrize("times", [True, False])
    def test_round_trip(self, tmp_path, times):
        path = sample_path(times=times)
        save_path(path, tmp_path / "flight.json")
        back = load_path(tmp_path / "flight.json")
        np.testing.assert_allclose(back.poses, path.poses, atol=1e-12)
        np.testing.assert_array_equal(back.intrinsics, path.intrinsics)
        assert back.fps == 30.0 and back.source_image == "photos/lake.jpg"
        if times:
            np.testing.assert_array_equal(back.times, path.times)
        else:
            assert back.times is None

    def test_documented_layout(self, tmp_path):
        save_path(sample_path(2), tmp_path / "f.json")
        doc = json.loads((tmp_path / "f.json").read_text())
        assert doc["format"] == "infnat-flight" and doc["version"] == 1 and doc["fps"] == 30
        assert doc["intrinsics"] == K.tolist()
        assert set(doc["frames"][1]) == {"t", "cam_from_world"}
        assert np.shape(doc["frames"][1]["cam_from_world"]) == (3, 4)

    def test_overwrite_leaves_no_temporary_files(self, tmp_path):
        save_path(sample_path(2), tmp_path / "f.json")
        save_path(sample_path(3), tmp_path / "f.json")
        assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
        assert len(load_path(tmp_path / "f.json")) == 3

    def test_failed_write_keeps_the_old_file(self, tmp_path):
        save_path(sample_path(2), tmp_path / "f.json")
        bad = FlightPath(sample_path(2).poses, K, 30.0, source_image=None)
        object.__setattr__(bad, "source_image", object())  # not JSON-serialisable: the write fails midway
        with pytest.raises(TypeError):
            save_path(bad, tmp_path / "f.json")
        assert len(load_path(tmp_path / "f.json")) == 2
        assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def write_doc(tmp_path, **changes):
    doc = {
        "format": "infnat-flight",
        "version": 1,
        "fps": 30,
        "intrinsics": K.tolist(),
        "source_image": None,
        "frames": [{"t": 0.0, "cam_from_world": identity_pose().tolist()}],
    }
    doc.update(changes)
    file = tmp_path / "f.json"
    file.write_text(json.dumps(doc))
    return file


class TestValidation:
    @pytest.mark.parametrize(
        "changes, message",
        [
            ({"format": "something-else"}, "infnat-flight"),
            ({"version": 2}, "version 2"),
            ({"fps": 0}, "fps"),
            ({"fps": "fast"}, "fps"),
            ({"intrinsics": [0.8, 1.28, 0.5]}, "intrinsics"),
            ({"frames": []}, "frames"),
            ({"frames": [{"t": 0, "cam_from_world": [[1, 0, 0, 0], [0, 1, 0, 0]]}]}, "3x4"),
            ({"frames": [{"t": 0, "cam_from_world": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, "x"]]}]}, "malformed"),
            ({"frames": [{"t": 0, "cam_from_world": [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]}]}, "orthonormal"),
            ({"frames": [{"t": 0, "cam_from_world": [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]}]}, "orthonormal"),
            ({"frames": [{"t": 0, "cam_from_world": [[1, 0, 0, 1e400], [0, 1, 0, 0], [0, 0, 1, 0]]}]}, "non-finite"),
            (
                {
                    "frames": [
                        {"t": 1.0, "cam_from_world": np.eye(3, 4).tolist()},
                        {"cam_from_world": np.eye(3, 4).tolist()},
                    ]
                },
                '"t"',
            ),
            (
                {
                    "frames": [
                        {"t": 1.0, "cam_from_world": np.eye(3, 4).tolist()},
                        {"t": 0.5, "cam_from_world": np.eye(3, 4).tolist()},
                    ]
                },
                "non-decreasing",
            ),
        ],
    )
    def test_bad_file_names_the_problem(self, tmp_path, changes, message):
        file = write_doc(tmp_path, **changes)
        with pytest.raises(InfnatError, match=message) as info:
            load_path(file)
        assert str(file) in str(info.value) and "\n" not in str(info.value)

    def test_small_rotation_error_is_accepted_and_cleaned(self, tmp_path):
        pose = identity_pose()
        pose[0, 0] = 1.0 + 2e-4  # as printed with few digits
        rotation = load_path(write_doc(tmp_path, frames=[{"cam_from_world": pose.tolist()}])).poses[0, :, :3]
        np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)

    def test_not_json(self, tmp_path):
        (tmp_path / "f.json").write_text("{oops")
        with pytest.raises(InfnatError, match="not valid JSON"):
            load_path(tmp_path / "f.json")

    def test_missing_file(self, tmp_path):
        with pytest.raises(InfnatError, match="does not exist"):
            load_path(tmp_path / "nope.json")


class TestResample:
    def test_same_count_is_identity(self):
        path = sample_path(times=False)
        out = resample(path, len(path))
        np.testing.assert_allclose(out.poses, path.poses, atol=1e-12)
        assert out.fps == pytest.approx(path.fps)

    def test_midpoint_is_slerp_and_lerp(self):
        path = FlightPath(np.array([pose_at([0, 0, 0], 0.0), pose_at([1, 0, 2], math.pi / 2)]), K, 10.0)
        out = resample(path, 3)
        np.testing.assert_allclose(camera_position(out.poses[1]), [0.5, 0, 1], atol=1e-12)
        _, _, forward = camera_axes(out.poses[1])
        np.testing.assert_allclose(forward, [math.sin(math.pi / 4), 0, math.cos(math.pi / 4)], atol=1e-12)
        assert out.fps == pytest.approx(20.0)  # same 0.1 s duration, twice the frames

    @pytest.mark.parametrize("yaw0, yaw1, middle", [(170, -170, 180), (-30, 170, -110), (80, -160, 140)])
    def test_takes_the_short_way_round(self, yaw0, yaw1, middle):
        poses = np.array([pose_at([0, 0, 0], math.radians(yaw0)), pose_at([0, 0, 0], math.radians(yaw1))])
        _, _, forward = camera_axes(resample(FlightPath(poses, K, 1), 3).poses[1])
        expected = [math.sin(math.radians(middle)), 0, math.cos(math.radians(middle))]
        np.testing.assert_allclose(forward, expected, atol=1e-12)

    def test_rotations_stay_rigid(self):
        rng = np.random.default_rng(0)
        poses = np.array(
            [
                np.concatenate(
                    [rotation_about(rng.normal(size=3), rng.uniform(0, math.pi)), rng.normal(size=(3, 1))], 1
                )
                for _ in range(6)
            ]
        )
        out = resample(FlightPath(poses, K, 30.0), 41)
        rotations = out.poses[:, :, :3]
        np.testing.assert_allclose(
            rotations @ rotations.transpose(0, 2, 1), np.broadcast_to(np.eye(3), (41, 3, 3)), atol=1e-12
        )
        np.testing.assert_allclose(out.poses[::8], poses, atol=1e-12)  # originals are hit exactly

    def test_follows_recorded_timing(self):
        # Recorded live: the camera paused between 0.1 s and 0.9 s, then moved in the last 0.1 s.
        poses = np.array([pose_at([0, 0, z], 0.0) for z in (0.0, 1.0, 1.0, 2.0)])
        path = FlightPath(poses, K, 30.0, np.array([0.0, 0.1, 0.9, 1.0]))
        out = resample(path, 11)
        np.testing.assert_allclose(out.times, np.linspace(0, 1, 11))
        np.testing.assert_allclose(
            [camera_position(p)[2] for p in out.poses], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2], atol=1e-12
        )
        assert out.fps == pytest.approx(10.0)

    def test_zero_frames_rejected(self):
        with pytest.raises(InfnatError, match="at least 1"):
            resample(sample_path(), 0)


def acid_line(timestamp_us, pose, intrinsics=(0.5, 0.9, 0.5, 0.5)):
    return " ".join(str(x) for x in [timestamp_us, *intrinsics, 0, 0, *np.round(pose, 6).ravel()])


class TestAcid:
    def test_load(self, tmp_path):
        world_from_first = np.concatenate([rotation_about(np.array([0.2, 1.0, 0.1]), 0.4), [[3.0], [-1.0], [2.0]]], 1)
        first_from_cams = [pose_at([0, 0, 0.5 * i], 0.1 * i) for i in range(4)]
        # In the file, each camera is given relative to an arbitrary SfM world.
        lines = [
            acid_line(
                1_000_000 + 33_367 * i, compose(p, np.linalg.inv(np.vstack([world_from_first, [0, 0, 0, 1]]))[:3])
            )
            for i, p in enumerate(first_from_cams)
        ]
        file = tmp_path / "clip.txt"
        file.write_text("https://www.youtube.com/watch?v=abc\n" + "\n".join(lines) + "\n")
        path = load_acid_txt(file)
        np.testing.assert_allclose(
            path.poses[0], identity_pose(), atol=1e-5
        )  # re-expressed in the first camera's frame
        np.testing.assert_allclose(path.poses, first_from_cams, atol=1e-5)
        np.testing.assert_allclose(path.intrinsics, [0.5, 0.9, 0.5, 0.5])
        np.testing.assert_allclose(path.times, 0.033367 * np.arange(4))
        assert path.fps == pytest.approx(29.97, abs=0.01)

    @pytest.mark.parametrize(
        "body, message",
        [
            ("", "no camera frames"),
            ("0 0.5 0.9 0.5 0.5 0 0 1 0 0 0", "19"),
            ("0 0.5 0.9 0.5 0.5 0 0 1 0 0 0 0 1 0 0 0 0 1 zero", "not a number"),
            ("0 0.5 0.9 0.5 0.5 0 0 3 0 0 0 0 1 0 0 0 0 1 0", "orthonormal"),
            (
                "0 0.5 0.9 0.5 0.5 0 0 1 0 0 0 0 1 0 0 0 0 1 0\n1 0.6 0.9 0.5 0.5 0 0 1 0 0 0 0 1 0 0 0 0 1 0",
                "intrinsics change",
            ),
        ],
    )
    def test_bad_file(self, tmp_path, body, message):
        file = tmp_path / "clip.txt"
        file.write_text("https://example.com/v\n" + body + "\n")
        with pytest.raises(InfnatError, match=message):
            load_acid_txt(file)


def test_documented_example_loads(tmp_path):
    doc = (Path(__file__).parents[3] / "docs" / "flight-path.md").read_text()
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.json").write_text(example)
    path = load_path(tmp_path / "example.json")
    assert len(path) == 2 and path.fps == 30.0
    np.testing.assert_allclose(camera_position(path.poses[1]), [0, 0, 0.2], atol=1e-5)
    assert camera_axes(path.poses[1])[2][0] > 0  # turned right
