// Waiting frames, at most one per environment of a batched scene (`env_id`; frames without one are
// all one environment). A newer frame replaces its environment's waiting one in place; frames
// are taken in the order their environments started waiting, so an environment that streams
// fast never starves the others.

/** @template T */
export class NewestPerEnv {
  /** @param {number} [capacity] environments that may wait at once; beyond it the longest waiting is dropped */
  constructor(capacity = 4096) {
    /** @type {Map<number | null, T>} */
    this.waiting = new Map();
    this.capacity = capacity;
    /** Frames that left without being taken: replaced by a newer one, or dropped over capacity. */
    this.replaced = 0;
  }

  get size() {
    return this.waiting.size;
  }

  /** @param {number | null} env @param {T} value */
  put(env, value) {
    if (this.waiting.has(env)) {
      this.replaced += 1;
    } else if (this.waiting.size >= this.capacity) {
      this.waiting.delete(this.waiting.keys().next().value ?? null);
      this.replaced += 1;
    }
    this.waiting.set(env, value);
  }

  /** The value that has waited longest, removed; undefined when nothing waits. @returns {T | undefined} */
  take() {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value[0]);
    return first.value[1];
  }

  clear() {
    this.waiting.clear();
  }
}

/** The environment a frame updates: an integer `env_id`, else null (one environment). @param {any} frame */
export function envOf(frame) {
  return Number.isInteger(frame?.env_id) ? frame.env_id : null;
}
