"""Scene upload: brax.io.json.dumps text, a dict or a path; per run, as JSON; refusals explained."""
import json
import os
import pathlib
import threading
import unittest

from braxviewer_client import SceneRejected, Streamer, upload_scene
from tests.support import REPO_ROOT, URL, unique_run, wait_until

FIXTURES = os.path.join(REPO_ROOT, "testdata", "brax")
CARTPOLE = os.path.join(FIXTURES, "cartpole.system.json")
BATCHED = os.path.join(FIXTURES, "cartpole_batched4.system.json")


def get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


class SceneTests(unittest.TestCase):
    def test_json_text_is_stored_byte_for_byte_in_its_own_run(self):
        run = unique_run("text")
        text = pathlib.Path(CARTPOLE).read_text(encoding="utf-8")
        upload_scene(URL, text, run=run)
        self.assertEqual(get(f"{URL}/api/system?run={run}"), text.encode("utf-8"))
        self.assertFalse(json.loads(get(f"{URL}/api/system/info?run={unique_run('other')}"))["loaded"], "other runs are untouched")

    def test_a_dict_and_a_path_are_uploaded_too(self):
        run = unique_run("dict")
        upload_scene(URL, json.loads(pathlib.Path(CARTPOLE).read_text()), run=run)
        self.assertEqual(json.loads(get(f"{URL}/api/system/info?run={run}"))["links"], 2)
        run = unique_run("path")
        upload_scene(URL, pathlib.Path(BATCHED), run=run, num_envs=4)
        info = json.loads(get(f"{URL}/api/system/info?run={run}"))
        self.assertEqual((info["links"], info["num_envs"], info["links_per_env"]), (8, 4, 2))
        upload_scene(URL, BATCHED, run=run)  # a path given as a string
        self.assertEqual(get(f"{URL}/api/system?run={run}"), pathlib.Path(BATCHED).read_bytes())

    def test_a_scene_the_server_refuses_raises_with_its_reason(self):
        with self.assertRaises(SceneRejected) as refused:
            upload_scene(URL, '{"config": {}, "pos": [], "rot": []}', run=unique_run("bad"))
        self.assertEqual(refused.exception.status, 400)
        self.assertIn("v1", refused.exception.message)
        with self.assertRaises(SceneRejected):
            upload_scene(URL, CARTPOLE, run=unique_run("bad-envs"), num_envs=3)

    def test_the_streamer_uploads_its_scene_and_hears_when_the_scene_changes(self):
        run = unique_run("streamer")
        changed = threading.Event()
        with Streamer(URL, run=run, scene=CARTPOLE, on_scene_changed=changed.set) as streamer:
            self.assertEqual(get(f"{URL}/api/system?run={run}"), pathlib.Path(CARTPOLE).read_bytes())
            streamer.upload_scene(BATCHED, num_envs=4)
            self.assertTrue(changed.wait(5), "refresh_web reaches the streamer's control socket")
            wait_until(lambda: json.loads(get(f"{URL}/api/system/info?run={run}"))["num_envs"] == 4, "the new scene is stored")


if __name__ == "__main__":
    unittest.main()
