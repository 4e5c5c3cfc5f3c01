"""The background refiner: latest request wins, stale results are dropped, failures are reported, restart works."""

import threading
import time

import numpy as np
import pytest

from app.refine_worker import RefineWorker
from infnat_core.render import RenderOutput


class SlowRefiner:
    """Records which renders it refined; each refine takes ``seconds``; marks its output with the input's value."""

    name = "slow"

    def __init__(self, seconds=0.15, fail_on=()):
        self.seconds = seconds
        self.fail_on = set(fail_on)
        self.refined = []
        self.styles = []

    def set_style(self, rgb, disparity, seed=0):
        self.styles.append((float(rgb.mean()), seed))

    def refine(self, rgb, disparity, mask):
        value = float(rgb[0, 0, 0])
        self.refined.append(value)
        time.sleep(self.seconds)
        if value in self.fail_on:
            raise ValueError(f"cannot refine {value}")
        return rgb + 0.5, disparity


def render(value):
    return RenderOutput(np.full((4, 6, 3), value, np.float32), np.full((4, 6), 0.5, np.float32),
                        np.ones((4, 6), np.float32))


@pytest.fixture
def worker(qtbot):
    refiner = SlowRefiner()
    loads = []

    def loader():
        loads.append(1)
        return refiner, None

    w = RefineWorker(loader)
    w.test_refiner, w.test_loads = refiner, loads
    qtbot.waitUntil(lambda: bool(loads), timeout=3000)
    w.set_style(np.zeros((4, 6, 3), np.float32), np.zeros((4, 6), np.float32))
    yield w
    w.shutdown()


def test_latest_request_wins_and_ids_increase(worker, qtbot):
    results = []
    worker.finished.connect(results.append)
    ids = [worker.submit(render(0.25), np.eye(3, 4), np.ones(4))]
    qtbot.waitUntil(lambda: bool(worker.test_refiner.refined), timeout=3000)
    assert not worker.idle
    ids += [worker.submit(render(v), np.eye(3, 4), np.ones(4)) for v in (0.5, 0.75)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    qtbot.wait(300)
    # 0.5 was replaced by 0.75 while the worker was busy with 0.25
    assert worker.test_refiner.refined == [0.25, 0.75]
    assert [r.request.request_id for r in results] == [ids[0], ids[2]]
    assert np.allclose(results[1].rgb, 1.25) and results[1].compute_seconds >= 0.1
    assert worker.idle


def test_results_of_an_old_scene_are_dropped(worker, qtbot):
    results = []
    worker.finished.connect(results.append)
    worker.submit(render(0.25), np.eye(3, 4), np.ones(4))
    qtbot.waitUntil(lambda: bool(worker.test_refiner.refined), timeout=3000)
    worker.set_style(np.ones((4, 6, 3), np.float32), np.zeros((4, 6), np.float32))  # a new scene while refining
    worker.submit(render(0.5), np.eye(3, 4), np.ones(4))
    qtbot.waitUntil(lambda: len(worker.test_refiner.refined) == 2, timeout=3000)
    qtbot.waitUntil(lambda: worker.idle, timeout=3000)
    qtbot.wait(100)
    assert [float(r.rgb[0, 0, 0]) for r in results] == [1.0]
    assert worker.test_refiner.styles == [(0.0, 0), (1.0, 0)]  # restyled before the new scene's request


def test_a_new_style_seed_restyles_before_the_next_request(worker, qtbot):
    worker.set_options(7, 0.0)
    with qtbot.waitSignal(worker.finished, timeout=3000):
        worker.submit(render(0.25), np.eye(3, 4), np.ones(4))
    assert worker.test_refiner.styles[-1] == (0.0, 7)


def test_exception_is_reported_and_the_worker_keeps_serving(worker, qtbot):
    worker.test_refiner.fail_on = {0.25}
    with qtbot.waitSignal(worker.errored, timeout=3000) as error:
        worker.submit(render(0.25), np.eye(3, 4), np.ones(4))
    assert "ValueError" in error.args[0] and "0.25" in error.args[0]
    with qtbot.waitSignal(worker.finished, timeout=3000) as done:
        worker.submit(render(0.5), np.eye(3, 4), np.ones(4))
    assert np.allclose(done.args[0].rgb, 1.0)


def test_restart_reloads_the_refiner_and_failed_loads_are_reported(qtbot):
    attempts = []

    def loader():
        attempts.append(threading.current_thread().name)
        if len(attempts) == 1:
            raise OSError("weights unreadable")
        return SlowRefiner(0.0), "note"

    worker = RefineWorker(loader)
    with qtbot.waitSignal(worker.errored, timeout=3000) as error:
        pass
    assert "weights unreadable" in error.args[0]
    with qtbot.waitSignal(worker.loaded, timeout=3000) as loaded:
        worker.restart()
    assert loaded.args[:2] == ["slow", "note"]
    assert threading.main_thread().name not in attempts  # loaded in the worker thread
    worker.shutdown()
