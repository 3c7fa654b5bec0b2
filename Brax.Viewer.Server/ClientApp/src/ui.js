// The side panel and overlays: connection state, rates, the render toggle, follow and selection,
// capture, notices, and the waiting screen. Only DOM here; no protocol or 3D logic.

const $ = (id) => document.getElementById(id);

function describe(status) {
  if (status.state === 'open') return 'connected';
  if (status.state === 'retrying') return `reconnecting in ${(status.retryInMs / 1000).toFixed(1)} s`;
  if (status.state === 'refused') return 'access refused';
  if (status.state === 'closed') return 'closed';
  return 'connecting';
}

export class Ui {
  /** @param {string} run @param {{hasKey: boolean}} access whether the page was given a key (never the key) */
  constructor(run, { hasKey }) {
    this.hasKey = hasKey;
    this.toggle = $('render-toggle');
    this.followSelect = $('follow');
    this.setRun(run);
  }

  /** Names the run shown, in the panel, the title and the waiting screen's command. */
  setRun(run) {
    $('run-name').textContent = run === 'default' ? '' : `run ${run}`;
    document.title = run === 'default' ? 'Brax Viewer' : `${run} · Brax Viewer`;
    // A server with keys takes scenes only with the streamer key: name it, never show the page's own key.
    const auth = this.hasKey ? `-H "Authorization: Bearer $STREAMER_KEY" ` : '';
    $('waiting-command').textContent =
      `curl -X PUT ${auth}-H 'Content-Type: application/json' --data-binary @system.json '${location.origin}/api/system${run === 'default' ? '' : `?run=${encodeURIComponent(run)}`}'`;
  }

  /** @param {'control'|'frame'} kind */
  setConnection(kind, status) {
    const element = $(`status-${kind}`);
    element.dataset.state = status.state;
    element.textContent = describe(status);
    if (kind === 'control') this.toggle.disabled = status.state !== 'open';
  }

  setRates({ renderFps, frameFps, latencyMs }) {
    $('render-fps').textContent = `${renderFps.toFixed(0)} fps`;
    $('frame-fps').textContent = frameFps === null ? '–' : `${frameFps.toFixed(0)} frames/s`;
    $('latency').textContent = latencyMs === null ? '–' : `${Math.max(0, latencyMs).toFixed(0)} ms`;
  }

  setRendering(enabled) {
    this.toggle.checked = enabled;
    $('render-paused').hidden = enabled;
  }

  /** @param {(enabled: boolean) => void} handler */
  onToggle(handler) {
    this.toggle.addEventListener('change', () => handler(this.toggle.checked));
  }

  /** @param {{name: string, linkIdx: number}[]} bodies */
  setBodies(bodies, followIdx) {
    this.followSelect.replaceChildren(new Option('nothing', '-1'));
    for (const body of bodies) this.followSelect.add(new Option(body.name, String(body.linkIdx)));
    this.followSelect.value = String(followIdx);
  }

  setFollow(linkIdx) {
    this.followSelect.value = String(linkIdx);
  }

  /** @param {(linkIdx: number) => void} handler */
  onFollow(handler) {
    this.followSelect.addEventListener('change', () => handler(Number(this.followSelect.value)));
  }

  setSelected(name) {
    $('selected').textContent = name ?? 'none';
  }

  /** @param {() => void} handler */
  onCapture(handler) {
    $('capture').addEventListener('click', handler);
  }

  setNotices(notices) {
    $('notices').replaceChildren(...notices.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
  }

  /** Replaces everything with the access screen. @param {'missing'|'wrong'} reason */
  setAccessRefused(reason) {
    $('access-reason').textContent = reason === 'wrong'
      ? 'The server refused the access key this page was opened with.'
      : 'This server needs an access key, and this page was opened without one.';
    document.body.dataset.access = 'refused';
  }

  /** Switches between the waiting screen and the viewer. */
  setSceneLoaded(loaded) {
    document.body.dataset.scene = loaded ? 'loaded' : 'none';
  }

  viewport() {
    return $('viewport');
  }
}
