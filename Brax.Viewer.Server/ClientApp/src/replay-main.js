// The offline replay: one HTML file holding this bundle, a scene and its recorded frames, that
// plays the recording with the live page's scene building, view and timeline, and asks the
// network for nothing (its own content security policy forbids it). What brax.io.html.render
// gives, for any run the server recorded.
import { LiveAnimator } from './animator.js';
import { FrameHistory, packPoses } from './frame-history.js';
import { buildScene, stateSteps } from './scene-builder.js';
import { Timeline } from './timeline.js';
import { TimelineUi } from './timeline-ui.js';
import { Viewer } from './viewer.js';

/** @param {string} id */
function data(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

/** What the server's scene info would say, from the scene alone (an export without it). */
function infoOf(system) {
  let maxLink = -1;
  for (const geoms of Object.values(system.geoms ?? {})) {
    for (const geom of geoms) if (Number.isInteger(geom.link_idx)) maxLink = Math.max(maxLink, geom.link_idx);
  }
  const links = system.link_names?.length ?? stateSteps(system)[0]?.pos?.length ?? maxLink + 1;
  const envs = Number.isInteger(system.num_envs) && system.num_envs > 0 && links % system.num_envs === 0 ? system.num_envs : null;
  return { links, num_envs: envs, links_per_env: envs ? links / envs : null };
}

const system = data('brax-scene');
const info = data('brax-info') ?? infoOf(system);
/** @type {{t: number, frame: any}[]} */
const recording = data('brax-frames');

const viewer = new Viewer(document.getElementById('viewport'));
const built = buildScene(system, info);
viewer.setContent(built.root);
if ((info.num_envs ?? 1) <= 1 && built.bodies.length > 0) viewer.follow(built.bodies[0].object, { recenter: false });

// Frames are placed as the live page places them; the whole recording is kept.
const placer = new LiveAnimator();
placer.setScene(built.links, info);
const history = new FrameHistory({ windowMs: Infinity, budgetBytes: Infinity });
for (const { t, frame } of recording) {
  const first = placer.locate(frame);
  if (first !== null) history.add(t, first, packPoses(frame.x.pos, frame.x.rot), 0);
}

let ui = null;
const timeline = new Timeline(history, {
  live: false,
  onChange: () => {
    ui?.refresh();
    viewer.invalidate();
  },
});
timeline.setLinks(built.links);
ui = new TimelineUi(timeline);
if (history.size > 0) timeline.scrub(history.oldest.seq);

let ticks = 0;
viewer.beforeRender.push(() => {
  ticks += 1;
  return timeline.tick(performance.now());
});
document.body.dataset.scene = 'loaded';

// For tests: a read-only view of the replay.
window.braxReplay = {
  get state() { return 'ready'; },
  get timeline() { return timeline.state; },
  get ticks() { return ticks; },
  get renders() { return viewer.rendersSinceContent; },
  poses() {
    return built.bodies.map(({ name, linkIdx, object }) => ({
      name, linkIdx, pos: object.position.toArray(), rot: [object.quaternion.w, object.quaternion.x, object.quaternion.y, object.quaternion.z],
    }));
  },
};
