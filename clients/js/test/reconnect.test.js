// After the server restarts on the same port, the client comes back by itself: both sockets
// reconnect, the render state is taken again from the new server's greeting, frames sent during
// the outage go out, and a client started while the server is down connects once it is up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, frame, numberOf, serverCommand, uniqueRun, waitUntil, waitViewers } from './support.js';

const QUICK = { min: 50, max: 500 };

test('viewer and streamer reconnect after a restart, resync the render state and carry on streaming', async () => {
  const run = uniqueRun('restart');
  const viewer = client({ run, reconnectDelay: QUICK });
  const streamer = client({ run, role: 'streamer', reconnectDelay: QUICK });
  const seen = [];
  const states = [];
  const opens = [];
  viewer.on('frame', (received) => seen.push(numberOf(received)));
  viewer.on('render-state', (enabled) => states.push(enabled));
  viewer.on('open', ({ connection }) => opens.push(connection));
  await Promise.all([viewer.ready(), streamer.ready()]);
  await waitViewers(run, 1);
  streamer.send(frame(1));
  await waitUntil(() => seen.includes(1), 'a frame before the restart');
  streamer.toggle(false);
  await waitUntil(() => viewer.renderingEnabled === false, 'rendering off before the restart');

  await serverCommand('stop');
  await waitUntil(() => [viewer, streamer].every((c) => c.connections.frame !== 'open' && c.connections.control !== 'open'), 'both notice');
  assert.equal(streamer.send(frame(2, 0)), false, 'frames wait while the server is away');
  await serverCommand('start');

  await waitUntil(() => seen.includes(2), 'the frame sent during the outage arrives', 15_000);
  // The new server knows nothing of the old toggle: its greeting says on, and the client follows.
  await waitUntil(() => viewer.renderingEnabled === true && streamer.renderingEnabled === true, 'the render state is taken again', 15_000);
  assert.deepEqual(states, [true, false, true]);
  assert.deepEqual(opens.sort(), ['control', 'control', 'frame', 'frame']);
  assert.deepEqual(viewer.stats.opens, { frame: 2, control: 2 });
  assert.deepEqual(streamer.stats.opens, { frame: 2, control: 2 });
  assert.equal(viewer.accessDenied, null, 'a server that is down is not a refusal');

  streamer.send(frame(3));
  await waitUntil(() => seen.includes(3), 'frames flow on');
  assert.deepEqual(seen, [1, 2, 3]);
});

test('a client started while the server is down retries, slower each time, until it is up; an open starts the delays over', async () => {
  const run = uniqueRun('early');
  await serverCommand('stop');
  let viewer;
  const retries = [];
  try {
    viewer = client({ run, control: false, reconnectDelay: QUICK });
    viewer.on('status', ({ state, retryInMs }) => {
      if (state === 'retrying') retries.push(retryInMs);
    });
    await waitUntil(() => retries.length >= 3, 'it keeps retrying');
  } finally {
    await serverCommand('start');
  }
  // Each delay lies in the upper half of a step doubling from 50 ms: 25-50, 50-100, 100-200.
  retries.slice(0, 3).forEach((delay, attempt) => {
    const step = QUICK.min * 2 ** attempt;
    assert.ok(delay >= step / 2 && delay <= step, `retry ${attempt} after ${delay} ms, not within ${step / 2}-${step}`);
  });

  await viewer.ready();
  assert.equal(viewer.accessDenied, null, 'a server that is down is not a refusal');

  const before = retries.length;
  await serverCommand('stop');
  try {
    await waitUntil(() => retries.length > before, 'it notices the server is gone');
  } finally {
    await serverCommand('start');
  }
  assert.ok(retries[before] <= QUICK.min, `after an open the first delay is at most the minimum again, not ${retries[before]} ms`);
  await viewer.ready();
  assert.equal(viewer.connections.frame, 'open');
});
