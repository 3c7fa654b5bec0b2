// A streamer's send() never waits and never queues: while the socket is not open, or backed up
// (its bufferedAmount over maxBufferedBytes), each environment's newest frame waits and replaces
// the one before it; they go out, in turn, as soon as there is room.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket, client, frame, numberOf, rawViewer, uniqueRun, waitViewers } from './support.js';

const MARKER = 1000;

/** Waits for the marker frame, sent last, and returns what the viewer saw before it. */
async function framesBeforeMarker(streamer, viewer) {
  streamer.send(frame(MARKER));
  await viewer.waitFor((messages) => messages.some((message) => numberOf(message) === MARKER), 'the marker frame');
  return viewer.frames().filter((received) => numberOf(received) !== MARKER).map((received) => ({ env: received.env_id, n: numberOf(received) }));
}

test('frames sent before the socket opens wait, the newest of each environment, and go out once it opens', async () => {
  const run = uniqueRun('early');
  const viewer = await rawViewer(run);
  await waitViewers(run, 1);

  const streamer = client({ run, role: 'streamer', control: false });
  const went = [];
  for (let n = 1; n <= 10; n += 1) {
    for (const env of [0, 1, 2]) went.push(streamer.send(frame(n, env)));
  }
  assert.ok(went.every((sent) => sent === false), 'nothing is written before the socket opens');
  assert.equal(streamer.stats.held, 3, 'one frame per environment waits');
  assert.equal(streamer.stats.replaced, 27);
  await streamer.ready();

  assert.deepEqual(await framesBeforeMarker(streamer, viewer), [{ env: 0, n: 10 }, { env: 1, n: 10 }, { env: 2, n: 10 }]);
  assert.equal(streamer.stats.held, 0);
});

test('while the socket is backed up frames wait, newest first, and go out when it drains', async () => {
  const run = uniqueRun('backed-up');
  const viewer = await rawViewer(run);
  await waitViewers(run, 1);
  let backedUp = false;
  // The real socket, reporting a backlog at the test's word: the client reads only bufferedAmount.
  class Backlogged extends WebSocket {
    get bufferedAmount() {
      return backedUp ? 64 * 1024 * 1024 : super.bufferedAmount;
    }
  }

  const streamer = client({ run, role: 'streamer', control: false, WebSocket: Backlogged });
  await streamer.ready();
  assert.equal(streamer.send(frame(1, 0)), true, 'room: out at once');
  backedUp = true;
  const went = [];
  for (let n = 2; n <= 50; n += 1) {
    for (const env of [0, 1]) went.push(streamer.send(frame(n, env)));
  }
  assert.ok(went.every((sent) => sent === false), 'a backed-up socket takes nothing');
  assert.equal(streamer.stats.sent, 1);
  assert.equal(streamer.stats.held, 2);

  backedUp = false;

  assert.deepEqual(await framesBeforeMarker(streamer, viewer), [{ env: 0, n: 1 }, { env: 0, n: 50 }, { env: 1, n: 50 }]);
  assert.equal(streamer.stats.replaced, 96);
});

test('close() writes the frames still waiting before it closes', async () => {
  const run = uniqueRun('close');
  const viewer = await rawViewer(run);
  await waitViewers(run, 1);
  let backedUp = false;
  class Backlogged extends WebSocket {
    get bufferedAmount() {
      return backedUp ? 64 * 1024 * 1024 : super.bufferedAmount;
    }
  }
  const streamer = client({ run, role: 'streamer', control: false, WebSocket: Backlogged });
  await streamer.ready();
  backedUp = true;
  streamer.send(frame(7, 0));
  streamer.send(frame(8, 1));
  assert.equal(streamer.stats.held, 2);

  await streamer.close();

  await viewer.waitFor((messages) => messages.length === 2, 'both waiting frames arrive');
  assert.deepEqual(viewer.frames().map(numberOf), [7, 8]);
  assert.deepEqual(streamer.connections, { frame: 'closed', control: 'idle' });
  assert.throws(() => streamer.send(frame(9)), /closed/);
});
