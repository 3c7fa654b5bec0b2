// The newest-frame callback under a stream faster than the callback: frames never queue up behind
// it. While the callback is busy, each environment keeps only its newest frame; once it is free it
// sees every environment's newest, each in turn, and nothing older.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, numberOf, rawStreamer, uniqueRun, waitUntil, waitViewers } from './support.js';

const ENVS = 4;
const STEPS = 250;

function envFrame(step, env) {
  return JSON.stringify({ x: { pos: [[step, env, 0.5]], rot: [[1, 0, 0, 0]] }, env_id: env });
}

test('a busy callback gets the newest frame of every environment once it is free, and nothing queues meanwhile', async () => {
  const run = uniqueRun('fast');
  const viewer = client({ run, control: false });
  let release;
  const busy = new Promise((resolve) => { release = resolve; });
  const seen = [];
  let mostPending = 0;
  viewer.on('frame', async (frame) => {
    seen.push({ env: frame.env_id, step: numberOf(frame) });
    mostPending = Math.max(mostPending, viewer.stats.pending);
    if (seen.length === 1) await busy; // the first frame keeps the callback busy until the whole stream has arrived
  });
  await waitViewers(run, 1);

  const streamer = await rawStreamer(run);
  // The first frame alone, so the callback is busy with it before the rest arrive: on a loaded
  // machine the whole stream could otherwise land in one burst and the first call see its newest.
  streamer.send(envFrame(0, 0));
  await waitUntil(() => seen.length === 1, 'the callback is busy with the first frame');
  for (let step = 0; step < STEPS; step += 1) {
    for (let env = step === 0 ? 1 : 0; env < ENVS; env += 1) streamer.send(envFrame(step, env));
  }
  await waitUntil(() => viewer.stats.received === STEPS * ENVS, `all ${STEPS * ENVS} frames arrive at the client`);

  assert.equal(seen.length, 1, 'the callback is still busy with the first frame');
  assert.ok(viewer.stats.pending <= ENVS, `at most one frame per environment waits, not ${viewer.stats.pending}`);
  assert.equal(viewer.stats.pending, ENVS);
  release();
  await waitUntil(() => seen.length === 1 + ENVS, 'every environment gets its newest frame');

  // Environment 0 waited least: its first frame was taken, so its next one queued up behind the others.
  assert.deepEqual(seen.slice(1), [1, 2, 3, 0].map((env) => ({ env, step: STEPS - 1 })), 'the newest of each, longest waiting first');
  assert.equal(viewer.stats.skipped, STEPS * ENVS - 1 - ENVS, 'everything in between was skipped, not queued');
  assert.ok(mostPending <= ENVS);
  await streamer.close();
});

test('a callback that returns nothing still gets every environment and never falls behind the stream', async () => {
  const run = uniqueRun('sync');
  const viewer = client({ run, control: false });
  const newest = new Map();
  let mostPending = 0;
  viewer.on('frame', (frame, { envId }) => {
    // Work heavier than reading a frame, so the stream outpaces the callback.
    const until = performance.now() + 0.2;
    while (performance.now() < until);
    assert.ok(!newest.has(envId) || newest.get(envId) < numberOf(frame), 'each environment only moves forward');
    newest.set(envId, numberOf(frame));
    mostPending = Math.max(mostPending, viewer.stats.pending);
  });
  await waitViewers(run, 1);

  const streamer = await rawStreamer(run);
  for (let step = 0; step < STEPS; step += 1) {
    for (let env = 0; env < ENVS; env += 1) streamer.send(envFrame(step, env));
  }

  await waitUntil(() => newest.size === ENVS && [...newest.values()].every((step) => step === STEPS - 1), 'every environment reaches its last step');
  const { received, delivered, skipped, pending } = viewer.stats;
  assert.equal(pending, 0);
  assert.equal(delivered + skipped, received, 'every frame was either delivered or replaced by a newer one');
  assert.ok(mostPending <= ENVS, `at most one frame per environment ever waited, not ${mostPending}`);
  await streamer.close();
});

test("'received' gets every frame in the order sent while the newest-frame callback skips", async () => {
  const run = uniqueRun('received');
  const viewer = client({ run, control: false });
  const received = [];
  let release;
  const busy = new Promise((resolve) => { release = resolve; });
  let calls = 0;
  viewer.on('received', (frame, { envId, text }) => received.push({ env: envId, step: numberOf(frame), text }));
  viewer.on('frame', async () => {
    calls += 1;
    if (calls === 1) await busy;
  });
  await waitViewers(run, 1);

  const streamer = await rawStreamer(run);
  const sent = [];
  const send = (step, env) => {
    sent.push({ env, step, text: envFrame(step, env) });
    streamer.send(envFrame(step, env));
  };
  send(0, 0);
  await waitUntil(() => calls === 1, 'the callback is busy with the first frame');
  for (let step = 1; step < STEPS; step += 1) {
    for (let env = 0; env < ENVS; env += 1) send(step, env);
  }
  await waitUntil(() => received.length === sent.length, `all ${sent.length} frames reach 'received'`);

  assert.deepEqual(received, sent, "'received' sees each frame once, as sent, in order");
  assert.ok(viewer.stats.skipped > 0, 'meanwhile the busy callback skipped frames');
  release();
  await streamer.close();
});
