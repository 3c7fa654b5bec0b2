"""The rendering flag and the viewer count: pushed on /ws/control, polled over HTTP when it is out of reach."""
import asyncio
import json
import threading
import time
import unittest

import websockets

from braxviewer_client import Streamer, get_rendering, set_rendering
from tests.support import URL, frame, http_json, raw_control, raw_viewer, unique_run, wait_until


class ControlTests(unittest.TestCase):
    def test_the_flag_follows_a_toggle_made_through_post_within_100_ms(self):
        run = unique_run("post")
        changes = []
        heard = threading.Event()

        def changed(enabled):
            changes.append((time.monotonic(), enabled))
            heard.set()

        with Streamer(URL, run=run, on_rendering_changed=changed) as streamer:
            self.assertTrue(streamer.control_connected)
            self.assertTrue(streamer.rendering_enabled)
            http_json("POST", f"{URL}/api/rendering_status?run={run}", {"rendering_enabled": False})
            answered = time.monotonic()
            self.assertTrue(heard.wait(5), "the toggle is pushed to the streamer")
            self.assertFalse(streamer.rendering_enabled)
            self.assertEqual(changes[0][1], False)
            self.assertLess(changes[0][0] - answered, 0.1, "the flag follows within 100 ms of the toggle")

    def test_a_toggle_from_the_streamer_reaches_raw_control_clients_and_the_http_api(self):
        run = unique_run("from-streamer")
        with raw_control(run) as page, Streamer(URL, run=run) as streamer:
            streamer.set_rendering(False)
            page.wait_for(lambda m: '{"type":"set_render_state","enabled":false}' in m, "the page hears the toggle")
            self.assertFalse(get_rendering(URL, run=run))
            wait_until(lambda: not streamer.rendering_enabled, "the streamer hears its own toggle")
            set_rendering(URL, True, run=run)
            wait_until(lambda: streamer.rendering_enabled, "the streamer hears the module-level toggle")

    def test_a_toggle_from_a_raw_control_client_reaches_the_streamer_and_send_skips_while_off(self):
        run = unique_run("from-page")
        with raw_control(run) as page, raw_viewer(run) as viewer, Streamer(URL, run=run) as streamer:
            page.send(json.dumps({"type": "toggle_render", "enabled": False}))
            wait_until(lambda: not streamer.rendering_enabled, "the streamer follows the page's toggle")
            self.assertFalse(streamer.send(frame(1)), "nothing is queued while rendering is off")
            self.assertFalse(streamer.should_render)
            page.send(json.dumps({"type": "toggle_render", "enabled": True}))
            wait_until(lambda: streamer.rendering_enabled, "the streamer follows the page's toggle back on")
            self.assertTrue(streamer.send(frame(2)))
            viewer.wait_for(lambda m: m, "a frame arrives")
            self.assertEqual([json.loads(m)["x"]["pos"][0][0] for m in viewer.messages], [2])
            self.assertEqual(streamer.stats()["frames_skipped_rendering_off"], 1)

    def test_while_control_is_out_of_reach_the_flag_is_polled_over_http(self):
        class NoControl(Streamer):
            _control_path = "/ws/no-such-endpoint"  # the server answers 404: control cannot be reached

        run = unique_run("poll")
        with NoControl(URL, run=run, poll_interval=0.05) as streamer:
            self.assertFalse(streamer.control_connected)
            self.assertTrue(streamer.rendering_enabled)
            http_json("POST", f"{URL}/api/rendering_status?run={run}", {"rendering_enabled": False})
            wait_until(lambda: not streamer.rendering_enabled, "the polled flag follows the toggle", timeout=5)
            self.assertFalse(streamer.control_connected)


class FakeControlServer:
    """Speaks /ws/control the way the server will once it sends viewer counts, plus a type no client knows."""

    def __init__(self, messages):
        self.messages = messages
        self.release = threading.Event()
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        started.wait(10)

    def _run(self, started):
        asyncio.set_event_loop(self._loop)

        async def handler(ws):
            if ws.path.startswith("/ws/control"):
                for message in self.messages:
                    await ws.send(message)
            await ws.wait_closed()

        async def main():
            self._server = await websockets.serve(handler, "127.0.0.1", 0)
            self.url = "http://127.0.0.1:%d" % self._server.sockets[0].getsockname()[1]
            started.set()
            await self._server.wait_closed()

        self._loop.run_until_complete(main())
        self._loop.close()

    def close(self):
        self._loop.call_soon_threadsafe(self._server.close)


class ViewerCountTests(unittest.TestCase):
    # A stand-in for /ws/control sends what a real server never would (unknown types, bad counts).
    def test_viewer_count_is_read_and_unknown_types_are_ignored(self):
        fake = FakeControlServer([
            '{"type":"set_render_state","enabled":true}',
            '{"type":"something_new","count":99}',
            "not json",
            '{"type":"viewer_count","count":3}',
            '{"type":"viewer_count","count":"many"}',
            '{"type":"viewer_count","count":0}',
        ])
        counts = []
        try:
            with Streamer(fake.url, on_viewer_count=counts.append) as streamer:
                wait_until(lambda: counts == [3, 0], "both counts arrive in order")
                self.assertEqual(streamer.viewer_count, 0)
                self.assertTrue(streamer.rendering_enabled)
                self.assertFalse(streamer.should_render, "nobody watches: no need to render")
        finally:
            fake.close()

    def test_the_real_server_tells_the_count_so_should_render_follows_who_watches(self):
        run = unique_run("counted")
        counts = []
        with Streamer(URL, run=run, on_viewer_count=counts.append) as streamer:
            wait_until(lambda: streamer.viewer_count == 0, "the server tells the count on connect")
            self.assertFalse(streamer.should_render, "nobody watches: no need to render")
            with raw_viewer(run):
                wait_until(lambda: streamer.viewer_count == 1, "a viewer joined")
                self.assertTrue(streamer.should_render)
            wait_until(lambda: streamer.viewer_count == 0, "the viewer left")
        self.assertEqual(counts[:3], [0, 1, 0])


if __name__ == "__main__":
    unittest.main()
