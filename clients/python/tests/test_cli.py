"""``python3 -m braxviewer_client stream FILE.jsonl`` and ``... watch``."""
import asyncio
import json
import os
import pathlib
import subprocess
import sys
import unittest

import websockets

from tests.support import PYTHON_ROOT, REPO_ROOT, URL, diagnostics, http_json, raw_viewer, unique_run, wait_until, ws_url

FIXTURES = pathlib.Path(REPO_ROOT, "testdata", "brax")


def cli(*arguments, **options):
    return subprocess.Popen([sys.executable, "-m", "braxviewer_client", *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=PYTHON_ROOT), **options)


class CommandLineTests(unittest.TestCase):
    def test_stream_uploads_the_scene_and_sends_every_environments_frames(self):
        run = unique_run("cli-stream")
        lines = (FIXTURES / "cartpole_batched4.frames.jsonl").read_text().splitlines()
        with raw_viewer(run) as viewer:
            process = cli("stream", str(FIXTURES / "cartpole_batched4.frames.jsonl"), "--url", URL, "--run", run,
                          "--scene", str(FIXTURES / "cartpole_batched4.system.json"), "--num-envs", "4", "--fps", "0")
            _, errors = process.communicate(timeout=60)
            self.assertEqual(process.returncode, 0, errors)
            self.assertIn("sent", errors)
            last = {json.loads(line)["env_id"]: line for line in lines}
            viewer.wait_for(lambda m: all(text in m for text in last.values()), "each environment's last line arrives as written")
            self.assertTrue(set(viewer.messages) <= set(lines), "every frame is a line of the file, unchanged")
        self.assertEqual(http_json("GET", f"{URL}/api/system/info?run={run}")["num_envs"], 4)

    def test_watch_prints_each_frame_as_sent(self):
        run = unique_run("cli-watch")
        sent = (FIXTURES / "cartpole.frames.jsonl").read_text().splitlines()[:3]
        before = diagnostics()["frame_viewers"]
        process = cli("watch", "--url", URL, "--run", run, "--count", "3")
        try:
            wait_until(lambda: diagnostics()["frame_viewers"] == before + 1, "the watcher is connected")

            async def stream():
                async with websockets.connect(ws_url(URL, f"/ws/frame?is_streamer=true&run={run}")) as streamer:
                    for line in sent:
                        await streamer.send(line)

            asyncio.run(stream())
            output, errors = process.communicate(timeout=30)
        finally:
            process.kill()
        self.assertEqual(process.returncode, 0, errors)
        self.assertEqual(output.splitlines(), sent)


if __name__ == "__main__":
    unittest.main()
