// Named events with any number of listeners each; on() hands back the way to stop listening.

export class Listeners {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this.byName = new Map();
  }

  /** @param {string} name @param {Function} listener @returns {() => void} removes the listener */
  on(name, listener) {
    if (typeof listener !== 'function') throw new TypeError(`the listener of '${name}' must be a function`);
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** @param {string} name */
  has(name) {
    return (this.byName.get(name)?.size ?? 0) > 0;
  }

  /**
   * Calls every listener of `name`; returns what they returned, so a caller can wait for promises.
   * A listener that throws is reported to `onError` and does not stop the others.
   * @param {string} name @param {unknown[]} args @param {(error: unknown) => void} onError
   * @returns {unknown[]}
   */
  emit(name, args, onError) {
    const results = [];
    for (const listener of [...(this.byName.get(name) ?? [])]) {
      try {
        results.push(listener(...args));
      } catch (error) {
        onError(error);
      }
    }
    return results;
  }
}
