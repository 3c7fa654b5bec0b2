"""The cart-pole example streams a batched scene, and stops sending while rendering is off."""
import json
import os
import subprocess
import sys
import unittest

from tests.support import PYTHON_ROOT, URL, http_json, raw_viewer, unique_run

EXAMPLE = os.path.join(PYTHON_ROOT, "examples", "cartpole.py")


def start_example(run, *arguments):
    return subprocess.Popen([sys.executable, "-u", EXAMPLE, "--url", URL, "--run", run, *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=PYTHON_ROOT))


class ExampleTests(unittest.TestCase):
    def test_the_cartpole_example_streams_every_environment_of_its_batched_scene(self):
        run = unique_run("example")
        with raw_viewer(run) as viewer:
            example = start_example(run, "--envs", "4", "--steps", "100", "--fps", "200")
            output, errors = example.communicate(timeout=60)
            self.assertEqual(example.returncode, 0, errors)
            self.assertIn("100 steps, 100 sent, 0 not rendered", output)
            viewer.wait_for(lambda m: {json.loads(x)["env_id"] for x in m} == {0, 1, 2, 3}, "frames of all four environments")
        info = http_json("GET", f"{URL}/api/system/info?run={run}")
        self.assertEqual((info["links"], info["num_envs"]), (8, 4), "the example uploaded its batched scene")

    def test_the_example_stops_sending_while_rendering_is_off(self):
        run = unique_run("example-off")
        http_json("POST", f"{URL}/api/rendering_status?run={run}", {"rendering_enabled": False})
        with raw_viewer(run) as viewer:
            example = start_example(run, "--steps", "50", "--fps", "0")
            output, errors = example.communicate(timeout=60)
            self.assertEqual(example.returncode, 0, errors)
            self.assertIn("50 steps, 0 sent, 50 not rendered", output)
            self.assertEqual(viewer.messages, [])


if __name__ == "__main__":
    unittest.main()
