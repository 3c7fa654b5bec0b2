"""Reconnect delays: doubling from a minimum to a maximum, with jitter so that many clients of a
restarted server do not all come back at the same instant."""
from __future__ import annotations

import random
from typing import Tuple


class Backoff:
    def __init__(self, delays: Tuple[float, float]):
        self.minimum, self.maximum = (float(d) for d in delays)
        if not 0 < self.minimum <= self.maximum:
            raise ValueError("reconnect_delay must be (minimum, maximum) with 0 < minimum <= maximum")
        self._next = self.minimum

    def reset(self) -> None:
        self._next = self.minimum

    def next_delay(self) -> float:
        """A delay between half and all of the current step; the step then doubles, up to the maximum."""
        step = self._next
        self._next = min(step * 2, self.maximum)
        return random.uniform(step / 2, step)
