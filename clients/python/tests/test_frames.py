"""Frames from dicts, lists, numpy arrays, JAX-like arrays and Brax-like states, and the NaN rule."""
import json
import logging
import math
import unittest
from types import SimpleNamespace

import numpy as np

from braxviewer_client import FrameEncoder, frame_from_state, frames_from_state, make_frame
from braxviewer_client.frames import env_id_of


def strict(text):
    """Parses JSON as the server does: NaN and Infinity are errors."""
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


class DeviceArray:
    """Stands in for a JAX array: only tolist() is used, never an import of jax."""

    def __init__(self, values):
        self._values = values

    def tolist(self):
        return [list(v) if isinstance(v, (list, tuple)) else v for v in self._values]


class FrameTests(unittest.TestCase):
    def test_make_frame_takes_lists_tuples_and_numpy_arrays_alike(self):
        expected = {"x": {"pos": [[1.0, 2.0, 3.0]], "rot": [[1.0, 0.0, 0.0, 0.0]]}, "env_id": 2}
        from_lists = make_frame([[1.0, 2.0, 3.0]], [[1.0, 0.0, 0.0, 0.0]], env_id=2)
        from_tuples = make_frame(((1.0, 2.0, 3.0),), ((1.0, 0.0, 0.0, 0.0),), env_id=2)
        from_numpy = make_frame(np.array([[1, 2, 3]], dtype=np.float32), np.array([[1, 0, 0, 0]], dtype=np.float64), env_id=np.int64(2))
        for frame in (from_lists, from_tuples, from_numpy):
            self.assertEqual(strict(FrameEncoder().encode(frame)), expected)
        self.assertIs(type(from_numpy["x"]["pos"][0][0]), float, "numpy values become plain floats")

    def test_arrays_anywhere_in_a_dict_frame_are_encoded_through_tolist(self):
        frame = {"x": {"pos": np.zeros((2, 3)), "rot": DeviceArray([[1, 0, 0, 0], [1, 0, 0, 0]])}, "reward": np.float32(0.5), "q": np.arange(3)}
        decoded = strict(FrameEncoder().encode(frame))
        self.assertEqual(decoded, {"x": {"pos": [[0.0] * 3] * 2, "rot": [[1, 0, 0, 0]] * 2}, "reward": 0.5, "q": [0, 1, 2]})

    def test_frame_from_state_reads_a_brax_pipeline_state_duck_typed(self):
        x = SimpleNamespace(pos=np.array([[0.0, 0.0, 0.5], [1.0, 0.0, 0.5]]), rot=np.array([[1.0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]]))
        state = SimpleNamespace(pipeline_state=SimpleNamespace(x=x, q=np.zeros(2)), reward=np.float32(1))
        expected = {"x": {"pos": [[0.0, 0.0, 0.5], [1.0, 0.0, 0.5]], "rot": [[1.0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]]}}
        self.assertEqual(frame_from_state(state), expected, "an env State (state.pipeline_state.x)")
        self.assertEqual(frame_from_state(state.pipeline_state), expected, "a pipeline state (state.x)")
        self.assertEqual(frame_from_state(x), expected, "a transform (pos, rot)")
        moved = frame_from_state(state, offset=(4, 0, 0))
        self.assertEqual(moved["x"]["pos"], [[4.0, 0.0, 0.5], [5.0, 0.0, 0.5]])

    def test_a_batched_state_gives_one_frame_per_environment(self):
        pos = np.arange(4 * 2 * 3, dtype=np.float64).reshape(4, 2, 3)
        rot = np.tile(np.array([1.0, 0, 0, 0]), (4, 2, 1))
        state = SimpleNamespace(pipeline_state=SimpleNamespace(x=SimpleNamespace(pos=pos, rot=rot)))
        frames = frames_from_state(state, offsets=lambda i: (10 * i, 0, 0))
        self.assertEqual([f["env_id"] for f in frames], [0, 1, 2, 3])
        self.assertEqual(frames[3]["x"]["pos"][0], [pos[3, 0, 0] + 30, pos[3, 0, 1], pos[3, 0, 2]])
        self.assertEqual(frame_from_state(state, env_id=2)["x"]["pos"], pos[2].tolist())
        with self.assertRaisesRegex(ValueError, "batched"):
            frame_from_state(state)

    def test_a_non_finite_pose_drops_the_frame_with_one_warning(self):
        encoder = FrameEncoder(logging.getLogger("braxviewer_client.test"))
        with self.assertLogs("braxviewer_client.test", level="WARNING") as logs:
            self.assertIsNone(encoder.encode(make_frame([[math.nan, 0, 0]], [[1, 0, 0, 0]])))
            self.assertIsNone(encoder.encode(make_frame([[0, 0, 0]], np.array([[np.inf, 0, 0, 0]]))))
            self.assertIsNone(encoder.encode('{"x": {"pos": [[NaN, 0, 0]], "rot": [[1, 0, 0, 0]]}}'))
        self.assertEqual(len(logs.records), 1, "the warning is given once, not per frame")
        self.assertIn("NaN", logs.output[0])
        self.assertEqual(encoder.dropped_non_finite, 3)

    def test_a_non_finite_number_outside_the_pose_is_sent_as_null(self):
        encoder = FrameEncoder(logging.getLogger("braxviewer_client.test2"))
        with self.assertLogs("braxviewer_client.test2", level="WARNING"):
            text = encoder.encode({"x": {"pos": [[0, 0, 0]], "rot": [[1, 0, 0, 0]]}, "reward": math.nan, "q": np.array([1.0, -np.inf])})
        self.assertEqual(strict(text), {"x": {"pos": [[0, 0, 0]], "rot": [[1, 0, 0, 0]]}, "reward": None, "q": [1.0, None]})
        self.assertEqual(encoder.nulled_non_finite, 1)

    def test_finite_json_text_passes_through_unchanged(self):
        text = '{"x": {"pos": [[0.1, 0, 0]], "rot": [[1, 0, 0, 0]]}, "env_id": 7}'
        self.assertIs(FrameEncoder().encode(text), text)
        self.assertEqual(env_id_of(text), 7)
        self.assertEqual(env_id_of({"env_id": np.int32(3)}), 3)
        self.assertIsNone(env_id_of({"x": {}}))


if __name__ == "__main__":
    unittest.main()
