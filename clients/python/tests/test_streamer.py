"""The streamer's frames reach raw viewers; send() never blocks, from any thread."""
import json
import socket
import threading
import time
import unittest
from types import SimpleNamespace

import numpy as np

from braxviewer_client import Streamer
from tests.support import URL, frame, number_of, raw_viewer, unique_run


def unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamerTests(unittest.TestCase):
    def test_dicts_json_text_numpy_frames_and_brax_states_reach_a_raw_viewer(self):
        run = unique_run("kinds")
        with raw_viewer(run) as viewer, Streamer(URL, run=run) as streamer:
            self.assertTrue(streamer.wait_connected(10))
            state = SimpleNamespace(pipeline_state=SimpleNamespace(x=SimpleNamespace(pos=np.array([[4.0, 0, 0.5]]), rot=np.array([[1.0, 0, 0, 0]]))))
            streamer.send(frame(1))
            self.assertTrue(streamer.flush(10))
            streamer.send('{"x":{"pos":[[2,0,0.5]],"rot":[[1,0,0,0]]}}')
            self.assertTrue(streamer.flush(10))
            streamer.send({"x": {"pos": np.array([[3.0, 0, 0.5]]), "rot": np.array([[1.0, 0, 0, 0]])}})
            self.assertTrue(streamer.flush(10))
            streamer.send(state)
            self.assertTrue(streamer.flush(10))
            viewer.wait_for(lambda m: len(m) == 4, "four frames arrive")
            self.assertEqual([number_of(m) for m in viewer.messages], [1, 2, 3, 4])
            self.assertEqual(viewer.messages[1], '{"x":{"pos":[[2,0,0.5]],"rot":[[1,0,0,0]]}}', "JSON text is sent byte for byte")

    def test_a_nan_pose_is_dropped_and_a_nan_elsewhere_reaches_viewers_as_null(self):
        run = unique_run("nan")
        with raw_viewer(run) as viewer, Streamer(URL, run=run) as streamer:
            self.assertTrue(streamer.wait_connected(10))
            with self.assertLogs("braxviewer_client", level="WARNING") as logs:
                self.assertFalse(streamer.send({"x": {"pos": [[float("nan"), 0, 0]], "rot": [[1, 0, 0, 0]]}}))
                self.assertTrue(streamer.send({"x": {"pos": [[1.0, 0, 0]], "rot": [[1, 0, 0, 0]]}, "reward": float("inf")}))
                self.assertTrue(streamer.flush(10))
            self.assertEqual(len(logs.records), 1, "one warning for both")
            viewer.wait_for(lambda m: m, "the frame with a null reward arrives")
            self.assertEqual(json.loads(viewer.messages[0]), {"x": {"pos": [[1.0, 0, 0]], "rot": [[1, 0, 0, 0]]}, "reward": None},
                             "the server took it as valid JSON and only it arrived")
            stats = streamer.stats()
            self.assertEqual((stats["frames_dropped_non_finite"], stats["frames_nulled_non_finite"]), (1, 1))

    def test_send_returns_at_once_while_the_server_cannot_be_reached(self):
        # A send that waited for the network would wait out a reconnect delay (1-2 s here); the bound
        # below leaves room for a loaded machine's scheduling stalls (200 ms seen) and no more.
        streamer = Streamer(f"http://127.0.0.1:{unused_port()}", connect_timeout=0.5, reconnect_delay=(2.0, 2.0))
        try:
            self.assertFalse(streamer.connected)
            slowest = 0.0
            for i in range(5000):
                began = time.perf_counter()
                self.assertTrue(streamer.send(frame(i, env_id=i % 8)))
                slowest = max(slowest, time.perf_counter() - began)
            self.assertLess(slowest, 0.5, "no send waits for the network")
            self.assertEqual(streamer.stats()["pending"], 8, "one waiting frame per environment")
            self.assertEqual(streamer.stats()["frames_sent"], 0)
        finally:
            streamer.close(timeout=0)

    def test_frames_from_many_threads_all_arrive_newest_last(self):
        run = unique_run("threads")
        with raw_viewer(run) as viewer, Streamer(URL, run=run) as streamer:
            self.assertTrue(streamer.wait_connected(10))

            def train(env):
                for step in range(200):
                    streamer.send(frame(step, env_id=env))

            threads = [threading.Thread(target=train, args=(env,)) for env in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertTrue(streamer.flush(10))
            last = viewer.wait_for(
                lambda m: (lambda seen: seen if len(seen) == 8 and all(v == 199 for v in seen.values()) else None)(
                    {f["env_id"]: f["x"]["pos"][0][0] for f in viewer.frames()}),
                "every thread's last frame arrives")
            self.assertEqual(sorted(last), list(range(8)))
            for env in range(8):
                steps = [f["x"]["pos"][0][0] for f in viewer.frames() if f["env_id"] == env]
                self.assertEqual(steps, sorted(steps), f"env {env}'s frames keep their order")

    def test_close_sends_what_is_queued(self):
        run = unique_run("close")
        with raw_viewer(run) as viewer:
            streamer = Streamer(URL, run=run)
            self.assertTrue(streamer.wait_connected(10))
            for env in range(16):
                streamer.send(frame(100 + env, env_id=env))
            streamer.close(timeout=10)
            viewer.wait_for(lambda m: len(m) == 16, "all 16 queued frames arrive")
            with self.assertRaises(RuntimeError):
                streamer.send(frame(0))


if __name__ == "__main__":
    unittest.main()
