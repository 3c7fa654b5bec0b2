// Hands received frames to a callback without ever queueing them: frames that arrive while the
// callback is busy (it returned a promise that has not settled yet) wait in a NewestPerEnv, so the
// callback next sees the newest frame of each environment, every environment in turn. A callback
// that returns nothing is busy only while it runs; frames read in one burst are then coalesced too,
// because they are delivered from a task of their own, after the burst.
import { NewestPerEnv } from './newest-per-env.js';

/** Runs `fn` in a later task: after the socket's queued messages, unlike a microtask. @param {() => void} fn */
function later(fn) {
  if (typeof globalThis.setImmediate === 'function') {
    globalThis.setImmediate(fn);
  } else if (typeof globalThis.MessageChannel === 'function') {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      fn();
    };
    channel.port2.postMessage(null);
  } else {
    setTimeout(fn, 0);
  }
}

/** @template T */
export class FrameDelivery {
  /**
   * @param {(value: T) => unknown} deliver called with each frame in turn; may return a promise
   * @param {(error: unknown) => void} onError what `deliver` threw or rejected with
   * @param {number} [capacity] environments that may wait at once
   */
  constructor(deliver, onError, capacity) {
    this.deliver = deliver;
    this.onError = onError;
    /** @type {NewestPerEnv<T>} */
    this.waiting = new NewestPerEnv(capacity);
    this.delivered = 0;
    this.running = false;
    this.scheduled = false;
  }

  /** Frames waiting now: at most one per environment. */
  get pending() {
    return this.waiting.size;
  }

  /** Frames that were replaced by a newer one of their environment before the callback took them. */
  get skipped() {
    return this.waiting.replaced;
  }

  /** @param {number | null} env @param {T} value */
  push(env, value) {
    this.waiting.put(env, value);
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    later(() => {
      this.scheduled = false;
      this.#drain();
    });
  }

  /** Forgets the waiting frames (a new scene, a closed client). */
  clear() {
    this.waiting.clear();
  }

  async #drain() {
    if (this.running) return;
    this.running = true;
    try {
      for (let value = this.waiting.take(); value !== undefined; value = this.waiting.take()) {
        this.delivered += 1;
        try {
          const result = this.deliver(value);
          if (result && typeof (/** @type {any} */ (result).then) === 'function') await result;
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
