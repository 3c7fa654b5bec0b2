// Wires the page together: the control channel (toggle, refresh_web), the frame stream, the scene
// and the 3D view. On every (re)connect of the control channel the page fetches the scene again,
// so a server restart or a new scene needs no manual reload. A server that refuses the page's
// access key ends all of that in the access screen: no retry can fix a missing or wrong key.
import { AccessRefusedError, takeAccessKey, withAccessToken } from './access.js';
import { LiveAnimator } from './animator.js';
import { ReconnectingSocket, socketUrl } from './connection.js';
import { Picker } from './picker.js';
import { buildScene, disposeScene } from './scene-builder.js';
import { checkAccess, fetchScene } from './scene-source.js';
import { Ui } from './ui.js';
import { Viewer } from './viewer.js';

// First of all, before the address is read for anything else or shown anywhere.
const accessKey = takeAccessKey();
const params = new URLSearchParams(location.search);
const run = params.get('run') || 'default';
const runQuery = `run=${encodeURIComponent(run)}`;
// The documented endpoints carry no query for the default run, exactly as the original page used them.
const socketQuery = params.has('run') ? `?${runQuery}` : '';

const ui = new Ui(run, { hasKey: accessKey !== null });
const viewer = new Viewer(ui.viewport());
const animator = new LiveAnimator();
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

function showScene(result) {
  if (!result.loaded) {
    if (built) viewer.setContent(null);
    disposeScene(built);
    built = null;
    sceneTag = null;
    animator.setScene([], null);
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

// Scene fetches are serialised: a refresh_web during a fetch triggers one more fetch afterwards.
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
      try {
        showScene(await fetchScene(runQuery, accessKey));
      } catch (error) {
        if (error instanceof AccessRefusedError) {
          refuseAccess();
          return;
        }
        // A restart can drop the request; the control channel reconnects and asks again.
        console.warn('scene fetch failed:', error.message);
      }
    } while (syncAgain && !accessRefused);
  })();
  await syncing;
  syncing = null;
  return undefined;
}

function handleControl(text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return;
  }
  if (message.type === 'set_render_state' && typeof message.enabled === 'boolean') {
    rendering = message.enabled;
    ui.setRendering(rendering);
  } else if (message.type === 'refresh_web') {
    syncScene();
  }
}

// Shows the access screen and stops both sockets: reconnecting with a key the server refuses
// would only hammer it, in silence, forever. A new link with the right key is a new page load.
function refuseAccess() {
  if (accessRefused) return;
  accessRefused = accessKey ? 'wrong' : 'missing';
  control.stop('refused');
  frames.stop('refused');
  ui.setAccessRefused(accessRefused);
}

// A socket that failed before it opened was refused or found no server; the API tells which.
let checkingAccess = false;
async function onRefusedOrDown() {
  if (checkingAccess || accessRefused) return;
  checkingAccess = true;
  try {
    if ((await checkAccess(runQuery, accessKey)) === false) refuseAccess();
  } finally {
    checkingAccess = false;
  }
}

const control = new ReconnectingSocket(withAccessToken(socketUrl(`/ws/control${socketQuery}`), accessKey), {
  onOpen: () => syncScene(),
  onMessage: handleControl,
  onStatus: (status) => ui.setConnection('control', status),
  onRefusedOrDown,
});
const frames = new ReconnectingSocket(withAccessToken(socketUrl(`/ws/frame${socketQuery}`), accessKey), {
  onMessage: (text) => animator.push(text),
  onStatus: (status) => ui.setConnection('frame', status),
  onRefusedOrDown,
});

ui.onToggle((enabled) => {
  // The server answers every toggle with set_render_state to all pages (this one included),
  // which settles the checkbox; without a connection the click is undone at once.
  if (!control.send(JSON.stringify({ type: 'toggle_render', enabled }))) ui.setRendering(rendering);
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

viewer.beforeRender.push(() => animator.apply());

let lastReceived = 0;
let lastRateAt = performance.now();
let frameFps = null;
setInterval(() => {
  const now = performance.now();
  frameFps = ((animator.received - lastReceived) * 1000) / (now - lastRateAt);
  lastReceived = animator.received;
  lastRateAt = now;
  // Per-env frames reveal a batched scene that came without an env count: stop the default follow.
  if (followIsDefault && animator.batchedSeen && followIdx >= 0) setFollow(-1);
  ui.setRates({ renderFps: viewer.fps, frameFps: animator.received ? frameFps : null, latencyMs: animator.latencyMs });
}, 1000);

// Fetched at once as well, so the scene shows even before (or without) the control channel.
syncScene();
control.start();
frames.start();

// For tests and debugging: a read-only view of the page's state.
window.braxViewer = {
  get state() { return accessRefused ? 'access-refused' : built ? 'viewer' : 'waiting'; },
  /** 'ok', or why the server refused the page: 'missing' or 'wrong'. Never the key itself. */
  get access() { return accessRefused ?? 'ok'; },
  get sceneTag() { return sceneTag; },
  get rendering() { return rendering; },
  get selected() { return selectedIdx; },
  get following() { return followIdx; },
  get connections() { return { control: control.state, frame: frames.state }; },
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
