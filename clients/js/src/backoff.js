// Reconnect delays: doubling from a minimum to a maximum, with jitter so that the many clients of
// a restarted server do not all come back in the same instant.

export class Backoff {
  /** @param {{min?: number, max?: number}} [delays] milliseconds; by default 250 ms doubling to 5 s */
  constructor({ min = 250, max = 5000 } = {}) {
    if (!(min > 0 && min <= max)) throw new RangeError('reconnectDelay must be {min, max} with 0 < min <= max (milliseconds)');
    this.min = min;
    this.max = max;
    this.attempt = 0;
  }

  /** After a successful open: the next failure waits the minimum again. */
  reset() {
    this.attempt = 0;
  }

  /** A delay between half and all of the current step; the step then doubles, up to the maximum. */
  next() {
    const step = Math.min(this.max, this.min * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(step / 2 + (Math.random() * step) / 2);
  }
}
