"""A cart-pole training loop that streams to Brax Viewer Hub, shaped like the original viewer's
demo/cartpole.py and demo/cartpole_batched.py: the environment hands back Brax-like states
(``state.pipeline_state.x.pos`` and ``.rot``), and the loop sends them while someone watches.

The physics is a few lines of plain Python so that the example runs without brax or JAX; with brax,
``env`` is your PipelineEnv and ``scene`` is ``brax.io.json.dumps(env.sys, [state.pipeline_state])``.

    python3 examples/cartpole.py --envs 4          # then open http://127.0.0.1:8000/?run=cartpole

Rendering stops (nothing is converted or sent) when a page turns it off, and, once the server
sends viewer counts, when nobody watches.
"""
import argparse
import math
import random
import time
from types import SimpleNamespace

from braxviewer_client import Streamer

SPACING = 4.0  # metres between environments on the grid


class CartPole:
    """Stands in for a Brax PipelineEnv: reset() and step() return states with pipeline_state.x."""

    def __init__(self, num_envs=1, dt=0.02):
        self.num_envs, self.dt = num_envs, dt
        self.columns = max(1, math.ceil(math.sqrt(num_envs)))

    def offset(self, env):
        return [(env % self.columns) * SPACING, (env // self.columns) * SPACING, 0.0]

    def reset(self, seed=0):
        rng = random.Random(seed)
        return self._state([(0.0, 0.0, rng.uniform(-0.1, 0.1), 0.0) for _ in range(self.num_envs)])

    def step(self, state, actions):
        g, length, dt = 9.81, 0.6, self.dt
        q = []
        for (x, v, theta, omega), force in zip(state.q, actions):
            omega += (g / length * math.sin(theta) - force * math.cos(theta) / length) * dt
            theta += omega * dt
            v += force * dt
            x = max(-1.5, min(1.5, x + v * dt))
            if abs(theta) > math.pi / 2:  # fell over: start again
                x, v, theta, omega = 0.0, 0.0, random.uniform(-0.1, 0.1), 0.0
            q.append((x, v, theta, omega))
        return self._state(q)

    def _state(self, q):
        pos, rot = [], []
        for env, (x, _, theta, _) in enumerate(q):
            dx, dy, dz = self.offset(env)
            pos.append([[x + dx, dy, 0.5 + dz], [x + dx, dy, 0.5 + dz]])
            rot.append([[1.0, 0.0, 0.0, 0.0], [math.cos(theta / 2), 0.0, math.sin(theta / 2), 0.0]])
        if self.num_envs == 1:
            pos, rot = pos[0], rot[0]
        return SimpleNamespace(q=q, pipeline_state=SimpleNamespace(x=SimpleNamespace(pos=pos, rot=rot)))

    def scene(self):
        """The scene as brax.io.json.dumps would give it: a floor and a rail per environment, a cart and a pole."""
        geoms = {"world": []}
        names = []
        for env in range(self.num_envs):
            dx, dy, _ = self.offset(env)
            suffix = "" if env == 0 else f"_{env}"
            geoms["world"].append({"name": "Plane", "link_idx": -1, "pos": [dx, dy, 0.0], "rot": [1.0, 0.0, 0.0, 0.0],
                                   "rgba": [0.4, 0.33, 0.26, 1.0], "size": [1.8, 1.8, 0.05]})
            geoms["world"].append({"name": "Capsule", "link_idx": -1, "pos": [dx, dy, 0.5], "rot": [0.7071, 0.0, 0.7071, 0.0],
                                   "rgba": [1.0, 1.0, 1.0, 1.0], "size": [0.02, 1.5, 0.0]})
            cart, pole = "cart" + suffix, "pole" + suffix
            geoms[cart] = [{"name": "Box", "link_idx": 2 * env, "pos": [0.0, 0.0, 0.0], "rot": [1.0, 0.0, 0.0, 0.0],
                            "rgba": [0.2, 0.4, 0.8, 1.0], "size": [0.2, 0.1, 0.05]}]
            geoms[pole] = [{"name": "Capsule", "link_idx": 2 * env + 1, "pos": [0.0, 0.0, 0.3], "rot": [1.0, 0.0, 0.0, 0.0],
                            "rgba": [0.9, 0.6, 0.2, 1.0], "size": [0.045, 0.3, 0.0]}]
            names += [cart, pole]
        first = self.reset().pipeline_state.x
        pos, rot = (first.pos, first.rot) if self.num_envs > 1 else ([first.pos], [first.rot])
        initial = {"pos": [p for env in pos for p in env], "rot": [r for env in rot for r in env]}
        return {"opt": {"timestep": self.dt}, "link_names": names, "geoms": geoms, "states": {"x": [initial]}}


def policy(state):
    """Pushes the cart under the pole: good enough to watch."""
    return [12.0 * theta + 2.0 * omega for (_, _, theta, omega) in state.q]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--run", default="cartpole")
    parser.add_argument("--key", default=None, help="the streamer key (default: $BRAX_VIEWER_KEY)")
    parser.add_argument("--envs", type=int, default=1)
    parser.add_argument("--steps", type=int, default=0, help="stop after this many steps (default: run until interrupted)")
    parser.add_argument("--fps", type=float, default=50.0, help="steps per second (0: as fast as possible)")
    args = parser.parse_args()

    env = CartPole(args.envs)
    state = env.reset(seed=0)
    streamer = Streamer(args.url, run=args.run, key=args.key, scene=env.scene(),
                        num_envs=args.envs if args.envs > 1 else None,
                        on_rendering_changed=lambda on: print(f"rendering {'on' if on else 'off'}", flush=True))
    sent = skipped = 0
    step = 0
    try:
        while args.steps <= 0 or step < args.steps:
            state = env.step(state, policy(state))
            if streamer.should_render:      # rendering on, and someone may be watching
                streamer.send(state)        # a batched state sends one frame per environment
                sent += 1
            else:
                skipped += 1
            step += 1
            if args.fps > 0:
                time.sleep(1.0 / args.fps)
    except KeyboardInterrupt:
        pass
    finally:
        streamer.close()
    print(f"{step} steps, {sent} sent, {skipped} not rendered", flush=True)


if __name__ == "__main__":
    main()
