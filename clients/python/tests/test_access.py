"""Against a server with keys: a clear error for 401 and 403, keys from key= or BRAX_VIEWER_KEY."""
import asyncio
import os
import subprocess
import sys
import unittest
from unittest import mock

from braxviewer_client import AccessDenied, Streamer, upload_scene, viewer
from tests.support import KEYED_URL, PYTHON_ROOT, STREAMER_KEY, VIEWER_KEY, frame, raw_viewer, unique_run

SCENE = '{"opt": {"timestep": 0.01}, "link_names": [], "geoms": {}, "states": {"x": [{"pos": [], "rot": []}]}}'


class AccessTests(unittest.TestCase):
    def test_without_a_key_the_streamer_fails_with_a_401_that_says_what_to_do(self):
        with mock.patch.dict(os.environ, {}, clear=False):
            os.environ.pop("BRAX_VIEWER_KEY", None)
            with self.assertRaises(AccessDenied) as refused:
                Streamer(KEYED_URL, run=unique_run("nokey"))
        self.assertEqual(refused.exception.status, 401)
        text = str(refused.exception)
        self.assertIn("401 Unauthorized", text)
        self.assertIn("needs an access key", text)
        self.assertIn("key=", text)
        self.assertIn("BRAX_VIEWER_KEY", text)

    def test_a_wrong_key_is_a_401_and_a_viewer_key_is_a_403_naming_the_streamer_key(self):
        with self.assertRaises(AccessDenied) as wrong:
            Streamer(KEYED_URL, key="not-the-key-0123456789")
        self.assertEqual(wrong.exception.status, 401)
        with self.assertRaises(AccessDenied) as forbidden:
            Streamer(KEYED_URL, key=VIEWER_KEY)
        self.assertEqual(forbidden.exception.status, 403)
        self.assertIn("403 Forbidden", str(forbidden.exception))
        self.assertIn("streamer key", str(forbidden.exception))

    def test_the_key_from_BRAX_VIEWER_KEY_streams_to_a_viewer_with_the_viewer_key(self):
        run = unique_run("envkey")
        with raw_viewer(run, url=KEYED_URL, key=VIEWER_KEY) as watcher:
            with mock.patch.dict(os.environ, {"BRAX_VIEWER_KEY": STREAMER_KEY}):
                with Streamer(KEYED_URL, run=run) as streamer:
                    self.assertTrue(streamer.control_connected)
                    streamer.send(frame(5))
                    self.assertTrue(streamer.flush(10))
                    streamer.set_rendering(True)
            watcher.wait_for(lambda m: m, "the frame arrives")

    def test_the_viewer_iterator_needs_a_key_and_scene_upload_needs_the_streamer_key(self):
        async def first(key):
            async for item in viewer(KEYED_URL, key=key, reconnect=False):
                return item

        os.environ.pop("BRAX_VIEWER_KEY", None)
        with self.assertRaises(AccessDenied) as refused:
            asyncio.run(first(None))
        self.assertEqual(refused.exception.status, 401)
        with self.assertRaises(AccessDenied) as forbidden:
            upload_scene(KEYED_URL, SCENE, key=VIEWER_KEY)
        self.assertEqual(forbidden.exception.status, 403)
        self.assertIn("this needs the streamer key", str(forbidden.exception), "the server's own reason is quoted")
        upload_scene(KEYED_URL, SCENE, key=STREAMER_KEY, run=unique_run("scene"))

    def test_the_command_line_reports_a_401_and_exits_with_2(self):
        environment = dict(os.environ, PYTHONPATH=PYTHON_ROOT)
        environment.pop("BRAX_VIEWER_KEY", None)
        result = subprocess.run([sys.executable, "-m", "braxviewer_client", "watch", "--url", KEYED_URL, "--count", "1"],
                                capture_output=True, text=True, timeout=60, env=environment)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("401 Unauthorized", result.stderr)
        self.assertIn("BRAX_VIEWER_KEY", result.stderr)


if __name__ == "__main__":
    unittest.main()
