// The control connection through the real server: toggles both ways (the client's toggle reaches a
// raw control socket and the HTTP API, the API's toggle reaches the client), viewer counts, and
// scene notices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BraxViewerClient } from '../src/index.js';
import { URL, WebSocket, client, httpJson, rawControl, rawViewer, scene, uniqueRun, waitUntil } from './support.js';

test('the client is greeted with the render state and its toggle reaches everyone', async () => {
  const run = uniqueRun('toggle-out');
  const states = [];
  const trainer = client({ run, frames: false });
  trainer.on('render-state', (enabled) => states.push(enabled));
  await trainer.ready();
  await waitUntil(() => states.length === 1, 'the greeting');
  assert.deepEqual(states, [true]);
  const other = await rawControl(run);

  assert.equal(trainer.toggle(false), true);

  await waitUntil(() => states.length === 2, 'the client hears its own toggle');
  assert.equal(trainer.renderingEnabled, false);
  await other.waitFor((messages) => messages.includes('{"type":"set_render_state","enabled":false}'), 'a raw control client hears it');
  assert.deepEqual(await httpJson('GET', `${URL}/api/rendering_status?run=${run}`), { rendering_enabled: false });
  await other.close();
});

test("a toggle from the HTTP API or a raw client reaches the client's state and listeners", async () => {
  const run = uniqueRun('toggle-in');
  const trainer = client({ run, frames: false });
  const states = [];
  trainer.on('render-state', (enabled) => states.push(enabled));
  await trainer.ready();
  await waitUntil(() => states.length === 1, 'the greeting');

  await httpJson('POST', `${URL}/api/rendering_status?run=${run}`, { rendering_enabled: false });
  await waitUntil(() => trainer.renderingEnabled === false, 'the API toggle arrives');

  const raw = await rawControl(run);
  raw.send(JSON.stringify({ type: 'toggle_render', enabled: true }));
  await waitUntil(() => trainer.renderingEnabled === true, 'the raw toggle arrives');
  assert.deepEqual(states, [true, false, true]);
  await raw.close();
});

test('toggle refuses a non-boolean and says false before the control socket is open', () => {
  const idle = new BraxViewerClient({ url: URL, run: uniqueRun('idle'), frames: false, WebSocket });
  assert.throws(() => idle.toggle('false'), TypeError);
  assert.equal(idle.toggle(false), false);
});

test('the client hears how many viewers its run has as they come and go', async () => {
  const run = uniqueRun('counted');
  const trainer = client({ run, frames: false });
  const counts = [];
  trainer.on('viewer-count', (count) => counts.push(count));
  await waitUntil(() => trainer.viewerCount === 0, 'the count on connect');

  const watcher = client({ run, control: false });
  await waitUntil(() => trainer.viewerCount === 1, 'a client viewer is counted');
  const raw = await rawViewer(run);
  await waitUntil(() => trainer.viewerCount === 2, 'a raw viewer is counted');
  await raw.close();
  await watcher.close();
  await waitUntil(() => trainer.viewerCount === 0, 'both left');
  assert.equal(counts[0], 0);
  assert.equal(counts.at(-1), 0);
  assert.ok(counts.includes(2), `the counts heard: ${counts}`);
});

test('a new scene is announced with refresh, to the client that put it too', async () => {
  const run = uniqueRun('refresh');
  const watcher = client({ run, frames: false });
  const uploader = client({ run, frames: false });
  let refreshes = 0;
  let own = 0;
  watcher.on('refresh', () => { refreshes += 1; });
  uploader.on('refresh', () => { own += 1; });
  await Promise.all([watcher.ready(), uploader.ready()]);

  await uploader.putScene(scene('cartpole'));

  await waitUntil(() => refreshes === 1 && own === 1, 'both hear refresh');
});
