// Applies live frames from /ws/frame to the link objects. Frames are coalesced per environment
// (the newest one per env wins) and applied once per rendered frame; no animation clip ever
// runs, so nothing overwrites a live pose.
import { setPose } from './scene-builder.js';

export class LiveAnimator {
  constructor() {
    this.links = [];
    this.info = null;
    this.pending = new Map();
    this.received = 0;
    this.applied = 0;
    this.dropped = 0;
    this.latencyMs = null;
    this.lastDropReason = '';
    this.batchedSeen = false;
    /** While the timeline shows the past, frames are still read (and located) but not applied. */
    this.holding = false;
  }

  /** @param {(import('three').Group|null)[]} links @param {{links: number, num_envs?: number|null, links_per_env?: number|null}} info */
  setScene(links, info) {
    this.links = links;
    this.info = info;
    this.pending.clear();
    this.batchedSeen = false;
  }

  /**
   * Takes one frame, as the client module hands it over (parsed, the newest of its environment).
   * Returns the first link it moves, or null when it cannot be placed in the scene.
   */
  push(frame) {
    this.received += 1;
    const pos = frame?.x?.pos;
    const rot = frame?.x?.rot;
    if (!Array.isArray(pos) || !Array.isArray(rot)) return this.#drop('frame without x.pos / x.rot');

    if (typeof frame.timestamp === 'number' && Number.isFinite(frame.timestamp)) {
      // Seconds since the epoch (Python's time.time()), or milliseconds if it is that large.
      const sentMs = frame.timestamp > 1e11 ? frame.timestamp : frame.timestamp * 1000;
      const latency = Date.now() - sentMs;
      this.latencyMs = this.latencyMs === null ? latency : this.latencyMs * 0.9 + latency * 0.1;
    }

    const first = this.#place(frame, pos.length);
    if (typeof first === 'string') return this.#drop(first);
    if (pos.length < (this.info?.links ?? this.links.length)) this.batchedSeen = true;
    if (this.holding) return first;
    this.pending.set(first, { first, pos, rot });
    return first;
  }

  /** Starts or stops holding live frames back (the timeline shows the past meanwhile). */
  hold(holding) {
    if (this.holding === holding) return;
    this.holding = holding;
    this.pending.clear();
  }

  /** The first link a frame moves, or null when it cannot be placed in the scene (nothing is counted). */
  locate(frame) {
    const pos = frame?.x?.pos;
    if (!Array.isArray(pos) || !Array.isArray(frame.x.rot)) return null;
    const first = this.#place(frame, pos.length);
    return typeof first === 'string' ? null : first;
  }

  /**
   * Which link the frame's first pose belongs to, or why it belongs nowhere. Batching comes from
   * explicit data only: the environment count given with the scene, or a frame shorter than the
   * scene (a per-env frame, as brax's batched senders write them). Names are never consulted, so
   * brax's ant, whose bodies are called aux_1..aux_4, stays one environment.
   * @returns {number | string}
   */
  #place(frame, length) {
    const total = this.info?.links ?? this.links.length;
    if (length >= total) return 0;
    const perEnv = this.info?.links_per_env ?? length;
    if (length !== perEnv || total % perEnv !== 0) return `frame with ${length} links for a scene of ${total} links`;
    const env = Number.isInteger(frame.env_id) ? frame.env_id : 0;
    if (env < 0 || (env + 1) * perEnv > total) return `env_id ${frame.env_id} outside the scene's ${total / perEnv} envs`;
    return env * perEnv;
  }

  #drop(reason) {
    this.dropped += 1;
    this.lastDropReason = reason;
    return null;
  }

  /** Applies the newest pending frame of every env. Returns whether anything moved. */
  apply() {
    if (this.pending.size === 0) return false;
    for (const { first, pos, rot } of this.pending.values()) {
      const count = Math.min(pos.length, this.links.length - first);
      for (let i = 0; i < count; i += 1) {
        const link = this.links[first + i];
        if (link) setPose(link, pos[i], rot[i]);
      }
      this.applied += 1;
    }
    this.pending.clear();
    return true;
  }
}
