import numpy as np

from app.flight_driver import DriverConfig, FlightDriver
from infnat_core.camera import camera_axes, camera_position, identity_pose
from infnat_core.flight.controls import FlightInputs

INTRINSICS = np.array([0.8, 1.28, 0.5, 0.5])


def sky_and_ground(h=40, w=64):
    """A view whose top third is sky (disparity 0.01) and the rest mid-distance ground."""
    d = np.full((h, w), 0.3)
    d[: h // 3] = 0.01
    return d


def fly(driver, inputs, seconds, dt):
    for _ in range(round(seconds / dt)):
        driver.step(inputs, dt, sky_and_ground(), INTRINSICS)
    return driver.pose


def test_manual_flight_is_reproducible_and_frame_rate_independent():
    a = fly(FlightDriver(identity_pose()), FlightInputs(forward=1.0), 1.0, 1 / 60)
    b = fly(FlightDriver(identity_pose()), FlightInputs(forward=1.0), 1.0, 1 / 60)
    c = fly(FlightDriver(identity_pose()), FlightInputs(forward=1.0), 1.0, 1 / 20)
    assert np.array_equal(a, b)
    assert np.allclose(camera_position(a), camera_position(c), atol=1e-9)
    assert camera_position(a)[2] > 0.4


def test_rest_is_reported_only_after_the_camera_stops():
    driver = FlightDriver(identity_pose())
    fly(driver, FlightInputs(forward=1.0), 0.5, 1 / 30)
    assert not driver.at_rest
    fly(driver, FlightInputs(), 0.2, 1 / 30)
    assert not driver.at_rest  # still gliding
    fly(driver, FlightInputs(), 3.0, 1 / 30)
    assert driver.at_rest


def test_autopilot_continues_from_the_manual_pose_and_moves_at_the_set_speed():
    config = DriverConfig()
    driver = FlightDriver(identity_pose(), config)
    fly(driver, FlightInputs(right=1.0), 0.5, 1 / 30)
    start = driver.pose
    driver.set_autopilot(True)
    assert np.allclose(driver.pose, start)
    end = fly(driver, FlightInputs(), 1.0, 1 / 30)
    travelled = np.linalg.norm(camera_position(end) - camera_position(start))
    assert abs(travelled - config.controls.speed) < 0.05
    driver.set_autopilot(False)
    assert np.allclose(driver.pose, end, atol=1e-9)


def test_autopilot_turns_toward_held_steering_and_clicks():
    plain, steered, clicked = (FlightDriver(identity_pose()) for _ in range(3))
    for d in (plain, steered, clicked):
        d.set_autopilot(True)
    fly(plain, FlightInputs(), 1.0, 1 / 30)
    fly(steered, FlightInputs(right=1.0), 1.0, 1 / 30)
    clicked.click_steer(0.9, 0.5)
    fly(clicked, FlightInputs(), 1.0, 1 / 30)
    assert camera_axes(steered.pose)[2][0] > camera_axes(plain.pose)[2][0] + 0.01
    assert camera_axes(clicked.pose)[2][0] > camera_axes(plain.pose)[2][0] + 0.01


def test_reset_returns_to_the_pose_at_rest():
    driver = FlightDriver(identity_pose())
    fly(driver, FlightInputs(forward=1.0, yaw=0.01), 0.5, 1 / 30)
    driver.reset(identity_pose())
    assert np.allclose(driver.pose, identity_pose()) and driver.at_rest
    assert np.allclose(fly(driver, FlightInputs(), 0.5, 1 / 30), identity_pose())  # no leftover velocity
