"""Under a slow link waiting frames are kept per environment: each environment's newest frame is
sent, in turn, and none is starved (the original sender's "latest only" queue kept one frame in all,
so every environment but the last one sent was lost)."""
import collections
import threading
import unittest

from braxviewer_client import Streamer
from tests.support import URL, frame, raw_viewer, unique_run

ENVS = 64


class CoalescingTests(unittest.TestCase):
    def test_a_throttled_link_loses_no_environment_of_64_and_each_newest_frame_arrives(self):
        run = unique_run("batched")
        # 200 messages a second: far slower than the 64 x 40 frames the loop below produces at once.
        with raw_viewer(run) as viewer, Streamer(URL, run=run, max_rate=200) as streamer:
            self.assertTrue(streamer.wait_connected(10))
            for step in range(40):
                for env in range(ENVS):
                    streamer.send(frame(step, env_id=env))
            self.assertTrue(streamer.flush(20))

            newest = viewer.wait_for(
                lambda m: (lambda last: last if len(last) == ENVS and set(last.values()) == {39} else None)(
                    {f["env_id"]: f["x"]["pos"][0][0] for f in viewer.frames()}),
                "every environment's newest frame (step 39) arrives", timeout=20)
            self.assertEqual(sorted(newest), list(range(ENVS)))
            frames = viewer.frames()
            self.assertLess(len(frames), ENVS * 40, "the slow link skipped superseded frames")
            self.assertGreater(streamer.stats()["frames_coalesced"], 0)
            for env in range(ENVS):
                steps = [f["x"]["pos"][0][0] for f in frames if f["env_id"] == env]
                self.assertEqual(steps, sorted(set(steps)), f"env {env}: in order, no frame twice")

    def test_while_frames_keep_coming_every_environment_gets_its_turn(self):
        run = unique_run("fair")
        with raw_viewer(run) as viewer, Streamer(URL, run=run, max_rate=400) as streamer:
            self.assertTrue(streamer.wait_connected(10))
            stop = threading.Event()

            def train():
                step = 0
                while not stop.is_set():
                    for env in range(ENVS):
                        streamer.send(frame(step, env_id=env))
                    step += 1

            trainer = threading.Thread(target=train)
            trainer.start()
            try:
                viewer.wait_for(lambda m: len(m) >= 4 * ENVS, "four rounds of frames arrive", timeout=20)
            finally:
                stop.set()
                trainer.join()
            counts = collections.Counter(f["env_id"] for f in viewer.frames()[: 4 * ENVS])
            self.assertEqual(set(counts), set(range(ENVS)), "no environment is starved")
            self.assertLessEqual(max(counts.values()) - min(counts.values()), 1, f"environments take turns: {counts}")


if __name__ == "__main__":
    unittest.main()
