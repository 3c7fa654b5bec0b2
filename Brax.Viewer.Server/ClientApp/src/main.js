// Wires the page together: the client of the run (clients/js: the control channel with the toggle
// and refresh_web, the frame stream, the scene API), the scene, the 3D view and the timeline of the
// frames received. On every (re)connect of the control channel the page fetches the scene again, so
// a server restart or a new scene needs no manual reload. Switching runs replaces the client (both
// sockets) and the scene without a reload; the address names the run. A server that refuses the
// page's access key stops the client, and the page shows the access screen: no retry can fix a
// missing or wrong key.
import { AccessDeniedError, BraxViewerClient } from '../../../clients/js/src/index.js';
import { takeAccessKey } from './access.js';
import { LiveAnimator } from './animator.js';
import { FrameHistory, packPoses } from './frame-history.js';
import { Picker } from './picker.js';
import { fetchRecording, olderThan } from './recording.js';
import { RunPicker, addressOf, runOf } from './runs.js';
import { buildScene, disposeScene } from './scene-builder.js';
import { Timeline } from './timeline.js';
import { TimelineUi } from './timeline-ui.js';
import { Ui } from './ui.js';
import { Viewer } from './viewer.js';

// First of all, before the address is read for anything else or shown anywhere.
const accessKey = takeAccessKey();
let run = runOf(location.search);
/** @type {BraxViewerClient} the current run's client; replaced on a switch */
let client;

const ui = new Ui(run, { hasKey: accessKey !== null });
const viewer = new Viewer(ui.viewport());
const animator = new LiveAnimator();
const frameHistory = new FrameHistory();
/** Whether the run's recording was asked for (once a run, on the first pause). */
let backfillAsked = false;
const timeline = new Timeline(frameHistory, {
  onChange: () => {
    animator.hold(!timeline.live);
    if (!timeline.live && !backfillAsked) backfill();
    timelineUi?.refresh();
    viewer.invalidate();
  },
});
const timelineUi = new TimelineUi(timeline);
let built = null;
let sceneTag = null;
let rendering = true;
let selectedIdx = -1;
let followIdx = -1;
let followIsDefault = false;
/** null while nothing was refused, else why: 'missing' (no key) or 'wrong' (a key the server refused). */
let accessRefused = null;

const picker = new Picker(viewer, (linkIdx) => select(linkIdx));

function select(linkIdx) {
  const link = built?.links[linkIdx] ?? null;
  selectedIdx = link ? linkIdx : -1;
  picker.highlight(link);
  ui.setSelected(link?.userData.braxName ?? null);
  if (link) setFollow(linkIdx);
}

function setFollow(linkIdx) {
  followIsDefault = false;
  followIdx = built?.links[linkIdx] ? linkIdx : -1;
  viewer.follow(followIdx >= 0 ? built.links[followIdx] : null);
  ui.setFollow(followIdx);
}

/** @param {{info: object, system: object} | null} result the run's scene, null without one */
function showScene(result) {
  if (!result) {
    if (built) viewer.setContent(null);
    disposeScene(built);
    built = null;
    sceneTag = null;
    animator.setScene([], null);
    resetTimeline([]);
    ui.setNotices([]);
    ui.setSceneLoaded(false);
    return;
  }
  if (result.info.tag === sceneTag) return;

  const next = buildScene(result.system, result.info);
  disposeScene(built);
  built = next;
  sceneTag = result.info.tag;
  viewer.setContent(built.root);
  animator.setScene(built.links, result.info);
  // Frames of another scene (or placed before this one was known) would land on the wrong links.
  resetTimeline(built.links);
  ui.setNotices(built.notices);
  selectedIdx = -1;
  picker.highlight(null);
  ui.setSelected(null);
  // Like brax's viewer, follow the first body unless the scene is batched (then it is framed
  // whole). The camera keeps its framing and only moves along with the body from here on.
  const batched = (result.info.num_envs ?? 1) > 1;
  ui.setBodies(built.bodies, -1);
  followIdx = !batched && built.bodies.length > 0 ? built.bodies[0].linkIdx : -1;
  followIsDefault = true;
  viewer.follow(followIdx >= 0 ? built.links[followIdx] : null, { recenter: false });
  ui.setFollow(followIdx);
  ui.setSceneLoaded(true);
}

function resetTimeline(links) {
  frameHistory.clear();
  timeline.setLinks(links);
  timeline.reset();
}

// Before the page joined, the server may have recorded more of the run: asked for once a run, when
// the user first leaves live. A server without recordings answers 404 and the timeline keeps to the
// page's own frames.
async function backfill() {
  backfillAsked = true;
  const asked = client;
  try {
    const recording = await fetchRecording(asked.endpoints);
    if (!recording || asked !== client) return;
    frameHistory.prepend(olderThan(recording, frameHistory.oldest, (frame) => animator.locate(frame)));
    timelineUi.refresh();
  } catch (error) {
    console.warn('recording fetch failed:', error.message);
  }
}

// Scene fetches are serialised: a refresh_web (or a run switch) during a fetch triggers one more
// fetch afterwards, and an answer for a run no longer shown is dropped.
let syncing = null;
let syncAgain = false;
async function syncScene() {
  if (syncing) {
    syncAgain = true;
    return syncing;
  }
  syncing = (async () => {
    do {
      syncAgain = false;
      const asked = client;
      try {
        const result = await asked.getScene();
        if (asked === client) showScene(result);
        else syncAgain = true;
      } catch (error) {
        // A refused key has stopped the client, which tells the page with 'access-denied'.
        if (error instanceof AccessDeniedError) return;
        // A restart can drop the request; the control channel reconnects and asks again.
        console.warn('scene fetch failed:', error.message);
      }
    } while (syncAgain && !accessRefused);
  })();
  await syncing;
  syncing = null;
  return undefined;
}

// Shows the access screen. The client has stopped both sockets already (they show 'refused'):
// reconnecting with a key the server refuses would only hammer it, in silence, forever. A new link
// with the right key is a new page load.
function refuseAccess() {
  if (accessRefused) return;
  accessRefused = accessKey ? 'wrong' : 'missing';
  ui.setAccessRefused(accessRefused);
}

/** A client of `name`, wired to the page; its events count only while it is the current one. */
function connect(name) {
  const own = new BraxViewerClient({ url: location.origin, run: name === 'default' ? null : name, accessKey });
  const current = (listener) => (...args) => (own === client ? listener(...args) : undefined);
  own.on('status', current(({ connection, ...status }) => ui.setConnection(connection, status)));
  own.on('open', current(({ connection }) => {
    if (connection === 'control') syncScene();
  }));
  own.on('render-state', current((enabled) => {
    rendering = enabled;
    ui.setRendering(rendering);
  }));
  own.on('refresh', current(() => syncScene()));
  own.on('access-denied', current(() => refuseAccess()));
  own.on('frame', current((frame) => animator.push(frame)));
  // The timeline keeps every frame, also those a busy page skips live for a newer one.
  own.on('received', current((frame, meta) => {
    const first = animator.locate(frame);
    if (first !== null) frameHistory.add(Date.now(), first, packPoses(frame.x.pos, frame.x.rot), meta.text.length);
  }));
  return own;
}

/**
 * Shows another run without a reload: new sockets, its scene, an empty timeline. `push` adds a
 * browser history entry (a pick in the page); back and forward switch with `push` false.
 */
function switchRun(name, { push }) {
  if (name === run || accessRefused) return;
  const old = client;
  run = name;
  if (push) history.pushState({ run }, '', addressOf(run));
  client = connect(run);
  old.close();
  lastReceived = 0;
  backfillAsked = false;
  showScene(null);
  ui.setRun(run);
  runPicker.setCurrent(run);
  client.start();
  syncScene();
}

const runPicker = new RunPicker(() => client.endpoints, (name) => switchRun(name, { push: true }));
runPicker.setCurrent(run);
window.addEventListener('popstate', () => switchRun(runOf(location.search), { push: false }));

ui.onToggle((enabled) => {
  // The server answers every toggle with set_render_state to all pages (this one included),
  // which settles the checkbox; without a connection the click is undone at once.
  if (!client.toggle(enabled)) ui.setRendering(rendering);
});
ui.onFollow((linkIdx) => setFollow(linkIdx));
ui.onCapture(async () => {
  const blob = await viewer.capture();
  const link = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(blob),
    download: `brax-${run}-${new Date().toISOString().replaceAll(':', '-')}.png`,
  });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

viewer.beforeRender.push(() => (timeline.live ? animator.apply() : timeline.tick(performance.now())));

let lastReceived = 0;
let lastRateAt = performance.now();
let frameFps = null;
setInterval(() => {
  const now = performance.now();
  // Frames that arrived, the ones the client skipped for a newer one of their environment included.
  const { received } = client.stats;
  frameFps = ((received - lastReceived) * 1000) / (now - lastRateAt);
  lastReceived = received;
  lastRateAt = now;
  // Per-env frames reveal a batched scene that came without an env count: stop the default follow.
  if (followIsDefault && animator.batchedSeen && followIdx >= 0) setFollow(-1);
  ui.setRates({ renderFps: viewer.fps, frameFps: received ? frameFps : null, latencyMs: animator.latencyMs });
}, 1000);

// Fetched at once as well, so the scene shows even before (or without) the control channel.
client = connect(run);
syncScene();
client.start();

// For tests and debugging: a read-only view of the page's state.
window.braxViewer = {
  get state() { return accessRefused ? 'access-refused' : built ? 'viewer' : 'waiting'; },
  get run() { return run; },
  /** Where the timeline is: mode ('live', 'paused', 'playing'), speed, the shown frame's seq and time, the bounds. */
  get timeline() { return timeline.state; },
  /** A frame of the timeline's history by sequence number: {seq, t, first, pos, rot}, or null. */
  historyFrame(seq) {
    const index = frameHistory.indexOfSeq(seq);
    const entry = index >= 0 ? frameHistory.at(index) : null;
    if (!entry || entry.seq !== seq) return null;
    const pos = [];
    const rot = [];
    for (let i = 0; i < entry.count; i += 1) {
      pos.push(Array.from(entry.data.subarray(i * 7, i * 7 + 3)));
      rot.push(Array.from(entry.data.subarray(i * 7 + 3, i * 7 + 7)));
    }
    return { seq: entry.seq, t: entry.t, first: entry.first, pos, rot };
  },
  /** 'ok', or why the server refused the page: 'missing' or 'wrong'. Never the key itself. */
  get access() { return accessRefused ?? 'ok'; },
  get sceneTag() { return sceneTag; },
  get rendering() { return rendering; },
  get selected() { return selectedIdx; },
  get following() { return followIdx; },
  get connections() { return client.connections; },
  get stats() {
    return {
      received: animator.received, applied: animator.applied, dropped: animator.dropped,
      renders: viewer.renderer.info.render.frame, sceneRenders: viewer.rendersSinceContent,
      renderFps: viewer.fps, frameFps, latencyMs: animator.latencyMs,
    };
  },
  get notices() { return built?.notices ?? []; },
  /** World poses of the links: {name, linkIdx, pos: [x,y,z], rot: [w,x,y,z]}. */
  poses() {
    return (built?.bodies ?? []).map(({ name, linkIdx, object }) => ({
      name, linkIdx, pos: object.position.toArray(), rot: [object.quaternion.w, object.quaternion.x, object.quaternion.y, object.quaternion.z],
    }));
  },
  /** Screen position (CSS pixels) of a link's origin, for click tests. */
  screenPoint(linkIdx) {
    const link = built?.links[linkIdx];
    if (!link) return null;
    const p = link.getWorldPosition(link.position.clone()).project(viewer.camera);
    const rect = viewer.renderer.domElement.getBoundingClientRect();
    return { x: rect.left + ((p.x + 1) / 2) * rect.width, y: rect.top + ((1 - p.y) / 2) * rect.height };
  },
};
