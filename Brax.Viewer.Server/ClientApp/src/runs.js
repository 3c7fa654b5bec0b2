// The run picker: the server's live runs (GET /api/runs), asked for only while the list is open,
// so a page that nobody uses to switch costs the server nothing, and a field to open any run by
// name (a run that has no streamer yet, or a server without /api/runs). Runs are links
// (?run=NAME): they can be opened in a new tab or copied; a plain click switches in place.

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 3000;
const RUN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The run a page address names: ?run=NAME, or the server's default run. */
export function runOf(search) {
  return new URLSearchParams(search).get('run') || 'default';
}

/** The page's address for a run, keeping everything else of the current one. */
export function addressOf(run) {
  const url = new URL(location.href);
  url.searchParams.set('run', run);
  return `${url.pathname}${url.search}${url.hash}`;
}

export class RunPicker {
  /**
   * @param {() => import('../../../clients/js/src/index.js').Endpoints} endpoints the current run's endpoints (for the key)
   * @param {(run: string) => void} onSelect
   */
  constructor(endpoints, onSelect) {
    this.endpoints = endpoints;
    this.onSelect = onSelect;
    this.details = /** @type {HTMLDetailsElement} */ ($('runs'));
    this.list = $('run-list');
    this.form = /** @type {HTMLFormElement} */ ($('run-open'));
    this.input = /** @type {HTMLInputElement} */ ($('run-input'));
    this.current = 'default';
    /** @type {{name: string, viewers?: number, streamers?: number, frames_per_second?: number}[]} */
    this.runs = [];
    /** Whether the last answer of /api/runs was a list (false: the server has none to give). */
    this.listed = false;
    this.timer = undefined;

    this.details.addEventListener('toggle', () => {
      clearInterval(this.timer);
      if (!this.details.open) return;
      this.refresh();
      this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    });
    this.list.addEventListener('click', (event) => {
      const link = /** @type {HTMLElement} */ (event.target).closest?.('a[data-run]');
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      this.onSelect(/** @type {HTMLElement} */ (link).dataset.run);
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = this.input.value.trim();
      if (!RUN.test(name)) {
        this.input.setCustomValidity('1 to 64 of A-Z a-z 0-9 _ - .');
        this.input.reportValidity();
        return;
      }
      this.input.setCustomValidity('');
      this.input.value = '';
      this.onSelect(name);
    });
    this.input.addEventListener('input', () => this.input.setCustomValidity(''));
  }

  /** Marks the run shown now. */
  setCurrent(run) {
    this.current = run;
    this.#render();
  }

  async refresh() {
    const endpoints = this.endpoints();
    try {
      const response = await fetch(`${endpoints.baseUrl}/api/runs`, { cache: 'no-store', headers: endpoints.headers() });
      // A server without the list will not grow one while the list is open: ask again on the next opening.
      if (response.status === 404) clearInterval(this.timer);
      const body = response.ok ? await response.json() : null;
      this.listed = Array.isArray(body?.runs);
      this.runs = this.listed ? body.runs.filter((r) => typeof r?.name === 'string' && RUN.test(r.name)) : [];
    } catch {
      this.listed = false;
      this.runs = [];
    }
    this.#render();
  }

  #render() {
    const runs = this.runs.some((r) => r.name === this.current) ? this.runs : [{ name: this.current }, ...this.runs];
    this.list.replaceChildren(...runs.map((r) => {
      const link = Object.assign(document.createElement('a'), { href: addressOf(r.name), textContent: r.name });
      link.dataset.run = r.name;
      if (r.name === this.current) link.setAttribute('aria-current', 'page');
      const item = document.createElement('li');
      item.append(link);
      if (Number.isFinite(r.viewers)) {
        const facts = [`${r.viewers} watching`, `${r.streamers ?? 0} streaming`];
        if (Number.isFinite(r.frames_per_second) && r.frames_per_second > 0) facts.push(`${r.frames_per_second.toFixed(0)} frames/s`);
        item.append(Object.assign(document.createElement('small'), { textContent: facts.join(', ') }));
      }
      return item;
    }));
    this.details.dataset.listed = String(this.listed);
  }
}
