"""The streamer and the viewer iterator come back after the server restarts on the same port."""
import asyncio
import json
import os
import threading
import unittest

from braxviewer_client import Streamer, viewer
from tests.support import REPO_ROOT, URL, frame, http_json, raw_viewer, server_command, unique_run, wait_until

SCENE = os.path.join(REPO_ROOT, "testdata", "brax", "cartpole.system.json")


class ReconnectTests(unittest.TestCase):
    def test_the_streamer_reconnects_restores_its_scene_and_follows_the_new_servers_toggle(self):
        run = unique_run("restart")
        with Streamer(URL, run=run, scene=SCENE, reconnect_delay=(0.05, 0.5)) as streamer:
            with raw_viewer(run) as before:
                streamer.send(frame(1))
                before.wait_for(lambda m: m, "a frame before the restart")

            server_command("stop")
            wait_until(lambda: not streamer.connected or not streamer.control_connected, "the streamer notices", timeout=5)
            for env in range(4):
                self.assertTrue(streamer.send(frame(2, env_id=env)), "frames wait while the server is away")
            server_command("start")

            with raw_viewer(run) as after:
                step = [3]

                def newest_arrived(messages):
                    streamer.send(frame(step[0]))  # a training loop keeps sending
                    step[0] += 1
                    return [m for m in messages if json.loads(m)["x"]["pos"][0][0] >= 3]

                after.wait_for(newest_arrived, "frames reach a viewer of the restarted server", timeout=15)
            self.assertGreaterEqual(streamer.stats()["connections"], 2)
            wait_until(lambda: http_json("GET", f"{URL}/api/system/info?run={run}")["loaded"], "the scene is uploaded again")
            wait_until(lambda: streamer.control_connected, "control is connected again")
            http_json("POST", f"{URL}/api/rendering_status?run={run}", {"rendering_enabled": False})
            wait_until(lambda: not streamer.rendering_enabled, "the flag follows the new server's toggle")

    def test_a_streamer_started_before_the_server_uploads_its_scene_once_the_server_answers(self):
        run = unique_run("early")
        server_command("stop")
        try:
            streamer = Streamer(URL, run=run, scene=SCENE, connect_timeout=0.5, reconnect_delay=(0.05, 0.5))
            self.assertFalse(streamer.connected)
            self.assertTrue(streamer.send(frame(1)), "frames wait for the server")
        finally:
            server_command("start")
        try:
            with raw_viewer(run) as watcher:
                self.assertTrue(streamer.wait_connected(15))
                wait_until(lambda: http_json("GET", f"{URL}/api/system/info?run={run}")["loaded"], "the scene is uploaded")
                streamer.send(frame(2))
                watcher.wait_for(lambda m: m, "frames flow")
        finally:
            streamer.close()

    def test_the_viewer_iterator_keeps_yielding_across_a_restart(self):
        run = unique_run("watch-restart")
        received = []
        got = threading.Condition()

        async def watch():
            async for frame_ in viewer(URL, run=run, reconnect_delay=(0.05, 0.5)):
                with got:
                    received.append(frame_["x"]["pos"][0][0])
                    got.notify_all()
                if frame_["x"]["pos"][0][0] >= 100:
                    return

        watcher = threading.Thread(target=lambda: asyncio.run(watch()))
        watcher.start()
        with Streamer(URL, run=run, reconnect_delay=(0.05, 0.5)) as streamer:
            def keep_sending_until(value, marker):
                while True:
                    streamer.send(frame(value))
                    with got:
                        if got.wait_for(lambda: any(r >= marker for r in received), 0.05):
                            return

            keep_sending_until(1, 1)
            server_command("stop")
            server_command("start")
            keep_sending_until(100, 100)
        watcher.join(10)
        self.assertFalse(watcher.is_alive())
        self.assertEqual(received[0], 1)
        self.assertEqual(received[-1], 100)


if __name__ == "__main__":
    unittest.main()
