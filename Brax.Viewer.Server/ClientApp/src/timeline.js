// The timeline: what the view shows from a FrameHistory. Live (the newest frames, applied by the
// live animator), paused at one frame, or playing the history at 0.25× to 4× its recorded pace.
// Showing a frame shows, for every environment of a batched scene, its newest frame at or before
// that point, so a scrub lands on the whole scene as it was. Playing applies the frames it passes
// in order, every environment's included. Nothing here allocates per animation frame.
import { applyPackedPose } from './frame-history.js';

export const SPEEDS = [0.25, 0.5, 1, 2, 4];

/** How far back a jump looks for the environments' frames before it gives up on the rest. */
const MAX_LOOKBACK = 8192;

export class Timeline {
  /**
   * @param {import('./frame-history.js').FrameHistory} history
   * @param {{live?: boolean, onChange?: () => void}} [options] live: whether there is a live end
   *   to go back to (the offline replay has none and stops at its last frame)
   */
  constructor(history, { live = true, onChange = () => {} } = {}) {
    this.history = history;
    this.hasLive = live;
    this.onChange = onChange;
    /** @type {'live' | 'paused' | 'playing'} */
    this.mode = live ? 'live' : 'paused';
    this.speed = 1;
    /** Sequence number of the frame shown (not live), -1 before any. */
    this.seq = -1;
    /** The recorded time the playhead is at (Unix ms of the history's clock). */
    this.playheadT = 0;
    this.lastTickAt = 0;
    /** @type {(import('three').Object3D | null)[]} */
    this.links = [];
    this.jumpSeen = new Set();
    /** @type {number[]} */
    this.jumpOrder = [];
  }

  get live() {
    return this.mode === 'live';
  }

  /** The links frames are applied to (a new scene). */
  setLinks(links) {
    this.links = links;
  }

  /** Stops at the frame shown now: the newest, when coming from live. */
  pause() {
    if (this.mode === 'paused') return;
    if (this.mode === 'live') {
      const index = this.history.size - 1;
      if (index >= 0) this.#jump(index);
    }
    this.mode = 'paused';
    this.onChange();
  }

  /**
   * Plays from the frame shown. Live there is nothing to play; offline, play at the last frame
   * starts over from the first.
   */
  play() {
    if (this.mode !== 'paused' || this.history.size === 0) return;
    if (!this.hasLive && this.#index() >= this.history.size - 1) this.#jump(0);
    this.mode = 'playing';
    this.lastTickAt = performance.now();
    this.onChange();
  }

  /** Pause when live or playing, play when paused (the space bar). */
  toggle() {
    if (this.mode === 'paused') this.play();
    else this.pause();
  }

  /** Back to the newest frames: each environment's newest at once, then the live stream. */
  goLive() {
    if (!this.hasLive || this.mode === 'live') return;
    const index = this.history.size - 1;
    if (index >= 0) this.#jump(index);
    this.mode = 'live';
    this.onChange();
  }

  /** Shows the frame with sequence number `seq` (clamped to what is kept); playing goes on from there. */
  scrub(seq) {
    if (this.history.size === 0) return;
    if (this.mode === 'live') this.mode = 'paused';
    this.#jump(this.history.indexOfSeq(seq));
    this.lastTickAt = performance.now();
    this.onChange();
  }

  setSpeed(speed) {
    if (!SPEEDS.includes(speed)) throw new RangeError(`speed must be one of ${SPEEDS.join(', ')}`);
    this.speed = speed;
    this.onChange();
  }

  /** Forgets the position (a new scene or run): live again, or paused at nothing. */
  reset() {
    this.mode = this.hasLive ? 'live' : 'paused';
    this.seq = -1;
    this.playheadT = 0;
    this.onChange();
  }

  /** Moves a playing timeline on; called once per animation frame. Returns whether a pose changed. */
  tick(now) {
    if (this.mode !== 'playing') return false;
    const elapsed = now - this.lastTickAt;
    this.lastTickAt = now;
    this.playheadT += elapsed * this.speed;
    const from = this.#index();
    const last = this.history.size - 1;
    let to = this.history.indexAtTime(this.playheadT);
    if (to > last) to = last;
    let moved = false;
    if (to > from) {
      for (let i = from + 1; i <= to; i += 1) this.#apply(this.history.at(i));
      this.seq = this.history.at(to).seq;
      moved = true;
    }
    if (to >= last) {
      // The end of what was received: live again, or (offline) stopped at the last frame.
      if (this.hasLive) this.goLive();
      else {
        this.mode = 'paused';
        this.onChange();
      }
    }
    return moved;
  }

  /** What the panel and the tests read. */
  get state() {
    const oldest = this.history.oldest;
    const newest = this.history.newest;
    const index = this.mode === 'live' ? this.history.size - 1 : this.#index();
    const shown = index >= 0 ? this.history.at(index) : null;
    return {
      mode: this.mode,
      speed: this.speed,
      seq: shown?.seq ?? -1,
      t: this.mode === 'playing' ? this.playheadT : shown?.t ?? 0,
      frameT: shown?.t ?? 0,
      oldestSeq: oldest?.seq ?? 0,
      newestSeq: newest?.seq ?? -1,
      oldestT: oldest?.t ?? 0,
      newestT: newest?.t ?? 0,
      frames: this.history.size,
      bytes: this.history.bytes,
      dropped: this.history.dropped,
    };
  }

  #index() {
    return this.seq < 0 ? -1 : this.history.indexOfSeq(this.seq);
  }

  // Shows the history at `index`: the newest frame of every environment up to it, oldest first, so
  // a whole-scene frame never hides a newer per-environment one.
  #jump(index) {
    const seen = this.jumpSeen;
    const order = this.jumpOrder;
    seen.clear();
    order.length = 0;
    const total = this.links.length;
    const stop = Math.max(0, index - MAX_LOOKBACK);
    let covered = 0;
    for (let i = index; i >= stop && covered < total; i -= 1) {
      const entry = this.history.at(i);
      if (seen.has(entry.first)) continue;
      seen.add(entry.first);
      order.push(i);
      covered += entry.count;
    }
    for (let k = order.length - 1; k >= 0; k -= 1) this.#apply(this.history.at(order[k]));
    const entry = this.history.at(index);
    this.seq = entry.seq;
    this.playheadT = entry.t;
  }

  /** @param {import('./frame-history.js').HistoryEntry} entry */
  #apply(entry) {
    const links = this.links;
    const count = Math.min(entry.count, links.length - entry.first);
    for (let i = 0; i < count; i += 1) {
      const link = links[entry.first + i];
      if (link) applyPackedPose(link, entry.data, i);
    }
  }
}
