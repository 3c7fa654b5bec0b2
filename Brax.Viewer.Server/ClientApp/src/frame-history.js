// The frames a run has shown, oldest first, for the timeline: each one's receive time, the first
// link it moves and its poses packed in one Float64Array (7 numbers a link: x y z, w x y z), so a
// replayed frame needs no parsing and no allocation. Bounded by age and by the frames' text size;
// the oldest go first. Every frame gets a sequence number that never changes while it is kept, so
// a scrub position stays put while old frames drop out under it.

const VALUES_PER_LINK = 7;

/** The default bounds: a minute of frames, at most 64 MiB of frame text. */
export const HISTORY_WINDOW_MS = 60_000;
export const HISTORY_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * @typedef {object} HistoryEntry
 * @property {number} seq position in the history; consecutive, never reused
 * @property {number} t when the frame arrived (Unix ms)
 * @property {number} first the first link the frame moves (per-env frames of a batched scene start past 0)
 * @property {number} count links the frame holds
 * @property {Float64Array} data count × (x y z w x y z)
 * @property {number} bytes the frame's text length, what the budget counts
 */

/** Packs a frame's x.pos / x.rot into an entry's data; values that are not numbers become NaN. */
export function packPoses(pos, rot) {
  const count = Math.min(pos.length, rot.length);
  const data = new Float64Array(count * VALUES_PER_LINK);
  for (let i = 0; i < count; i += 1) {
    const p = pos[i];
    const r = rot[i];
    const o = i * VALUES_PER_LINK;
    data[o] = p?.[0];
    data[o + 1] = p?.[1];
    data[o + 2] = p?.[2];
    data[o + 3] = r?.[0];
    data[o + 4] = r?.[1];
    data[o + 5] = r?.[2];
    data[o + 6] = r?.[3];
  }
  return data;
}

/**
 * Sets one link's pose from packed data. A non-finite position is left as it is; a zero or
 * non-finite quaternion (brax's q = 0 states) is no rotation, as in the live page.
 * @param {import('three').Object3D} object @param {Float64Array} data @param {number} link
 */
export function applyPackedPose(object, data, link) {
  const o = link * VALUES_PER_LINK;
  const x = data[o];
  const y = data[o + 1];
  const z = data[o + 2];
  if (Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)) object.position.set(x, y, z);
  const w = data[o + 3];
  const qx = data[o + 4];
  const qy = data[o + 5];
  const qz = data[o + 6];
  const norm = Math.sqrt(w * w + qx * qx + qy * qy + qz * qz);
  if (!Number.isFinite(norm) || norm < 1e-9) object.quaternion.identity();
  else object.quaternion.set(qx / norm, qy / norm, qz / norm, w / norm);
}

export class FrameHistory {
  constructor({ windowMs = HISTORY_WINDOW_MS, budgetBytes = HISTORY_BUDGET_BYTES } = {}) {
    this.windowMs = windowMs;
    this.budgetBytes = budgetBytes;
    /** @type {HistoryEntry[]} kept entries from index `head` on; the slots before it wait to be compacted */
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.nextSeq = 0;
    /** Entries dropped for age or size since the last clear. */
    this.dropped = 0;
  }

  get size() {
    return this.entries.length - this.head;
  }

  /** The entry at `index` (0 = oldest kept). @returns {HistoryEntry} */
  at(index) {
    return this.entries[this.head + index];
  }

  get oldest() {
    return this.size > 0 ? this.entries[this.head] : null;
  }

  get newest() {
    return this.size > 0 ? this.entries[this.entries.length - 1] : null;
  }

  /** The index of the entry with sequence number `seq`, clamped into what is kept; -1 when empty. */
  indexOfSeq(seq) {
    if (this.size === 0) return -1;
    return Math.min(this.size - 1, Math.max(0, seq - this.entries[this.head].seq));
  }

  /** The index of the newest entry received at or before `t`; -1 when none is. */
  indexAtTime(t) {
    let low = 0;
    let high = this.size - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.entries[this.head + middle].t <= t) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  /** Adds a frame as the newest. @param {number} t @param {number} first @param {Float64Array} data @param {number} bytes */
  add(t, first, data, bytes) {
    // Never backwards: replay order is receive order, and the time search needs sorted times.
    const newest = this.newest;
    const time = newest && t < newest.t ? newest.t : t;
    this.entries.push({ seq: this.nextSeq, t: time, first, count: data.length / VALUES_PER_LINK, data, bytes });
    this.nextSeq += 1;
    this.bytes += bytes;
    this.#trim(time);
  }

  /**
   * Puts older frames (oldest first, each older than the oldest kept) in front, as far as the
   * bounds allow: the newest of them are kept when not all fit.
   * @param {{t: number, first: number, data: Float64Array, bytes: number}[]} older
   */
  prepend(older) {
    const oldest = this.oldest;
    const newestT = this.newest?.t ?? older.at(-1)?.t ?? 0;
    const keep = [];
    let bytes = this.bytes;
    for (let i = older.length - 1; i >= 0; i -= 1) {
      const entry = older[i];
      if (oldest && entry.t > oldest.t) continue;
      if (newestT - entry.t > this.windowMs || bytes + entry.bytes > this.budgetBytes) break;
      bytes += entry.bytes;
      keep.push(entry);
    }
    if (keep.length === 0) return 0;
    let seq = oldest ? oldest.seq : this.nextSeq;
    const front = [];
    for (const entry of keep) {
      seq -= 1;
      front.push({ seq, t: entry.t, first: entry.first, count: entry.data.length / VALUES_PER_LINK, data: entry.data, bytes: entry.bytes });
    }
    front.reverse();
    this.entries = front.concat(this.entries.slice(this.head));
    this.head = 0;
    this.bytes = bytes;
    if (!oldest) this.nextSeq = this.entries.at(-1).seq + 1;
    return keep.length;
  }

  clear() {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.dropped = 0;
  }

  #trim(now) {
    while (this.size > 1 && (now - this.entries[this.head].t > this.windowMs || this.bytes > this.budgetBytes)) {
      this.bytes -= this.entries[this.head].bytes;
      this.entries[this.head] = undefined;
      this.head += 1;
      this.dropped += 1;
    }
    // Compacted now and then instead of shifting the array on every drop.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
