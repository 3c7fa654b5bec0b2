// Frames both ways through the real server: a client streamer to a client viewer, and each of them
// against a raw socket on the other end, so neither side is only checked against itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, frame, numberOf, rawStreamer, rawViewer, uniqueRun, waitUntil, waitViewers } from './support.js';

test('a streamer client reaches a viewer client, frame for frame, with env_id and the text as sent', async () => {
  const run = uniqueRun('both');
  const viewer = client({ run });
  const seen = [];
  viewer.on('frame', (received, meta) => seen.push({ received, meta }));
  await viewer.ready();
  await waitViewers(run, 1);

  const streamer = client({ run, role: 'streamer' });
  await streamer.ready();
  for (let n = 1; n <= 3; n += 1) {
    assert.equal(streamer.send(frame(n, 7)), true, 'an open socket with room sends at once');
    await waitUntil(() => seen.length === n, `frame ${n} arrives`);
  }

  assert.deepEqual(seen.map(({ received }) => numberOf(received)), [1, 2, 3]);
  assert.deepEqual(seen[0].received, frame(1, 7));
  assert.equal(seen[0].meta.envId, 7);
  assert.equal(seen[0].meta.text, JSON.stringify(frame(1, 7)));
  assert.equal(streamer.stats.sent, 3);
  assert.equal(viewer.stats.received, 3);
});

test('a streamer client sends text byte for byte to a raw viewer', async () => {
  const run = uniqueRun('to-raw');
  const watcher = await rawViewer(run);
  await waitViewers(run, 1);
  const streamer = client({ run, role: 'streamer', control: false });
  await streamer.ready();

  const text = '{"x": {"pos": [[1.5, 0.0, 0.25]], "rot": [[1.0, 0.0, 0.0, 0.0]]}, "timestamp": 1.25}';
  streamer.send(text);
  streamer.send(frame(2));

  await watcher.waitFor((messages) => messages.length === 2, 'both frames reach the raw viewer');
  assert.equal(watcher.messages[0], text, 'text goes out unchanged');
  assert.deepEqual(JSON.parse(watcher.messages[1]), frame(2));
  await watcher.close();
});

test('a viewer client receives what a raw streamer sends, and a viewer of another run does not', async () => {
  const run = uniqueRun('from-raw');
  const viewer = client({ run, control: false });
  const otherRun = uniqueRun('elsewhere');
  const elsewhere = client({ run: otherRun, control: false });
  const seen = [];
  const strays = [];
  viewer.on('frame', (received, meta) => seen.push(meta.text));
  elsewhere.on('frame', (received) => strays.push(received));
  await Promise.all([waitViewers(run, 1), waitViewers(otherRun, 1)]);

  const streamer = await rawStreamer(run);
  const text = '{"x":{"pos":[[3,0,0.5]],"rot":[[1,0,0,0]]},"qd":[0.5]}';
  streamer.send(text);

  await waitUntil(() => seen.length === 1, 'the frame arrives');
  assert.equal(seen[0], text);
  assert.equal(viewer.stats.invalid, 0);
  assert.deepEqual(strays, []);
  await streamer.close();
});

test('a viewer cannot send, and a streamer does not receive', async () => {
  const run = uniqueRun('roles');
  const viewer = client({ run, control: false });
  assert.throws(() => viewer.send(frame(1)), /role: 'streamer'/);

  const streamer = client({ run, role: 'streamer', control: false });
  const echoed = [];
  streamer.on('frame', (received) => echoed.push(received));
  await streamer.ready();
  const watcher = await rawViewer(run);
  await waitViewers(run, 2);
  streamer.send(frame(1));
  await watcher.waitFor((messages) => messages.length === 1, 'the frame reaches a viewer');
  assert.deepEqual(echoed, [], 'the server sends streamers nothing');
  assert.equal(streamer.stats.received, 0);
  await watcher.close();
});
