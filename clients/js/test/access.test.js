// A server with keys: the key goes as ?access_token= on the sockets and as Authorization: Bearer
// on HTTP requests; a refused key ends the client in one clear state (401: none or a wrong one;
// 403: a viewer key where streaming needs the streamer key) instead of reconnecting forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessDeniedError } from '../src/index.js';
import { KEYED_URL, STREAMER_KEY, VIEWER_KEY, WebSocket, client, frame, numberOf, scene, uniqueRun, waitUntil, waitViewers } from './support.js';

const QUICK = { min: 50, max: 500 };

/** A started client of the keyed server that records every socket address and HTTP request it makes. */
function recordingClient(options) {
  const sockets = [];
  const requests = [];
  class Recording extends WebSocket {
    constructor(address, ...rest) {
      super(address, ...rest);
      sockets.push(address);
    }
  }
  const fetchImpl = (url, init) => {
    requests.push({ url: String(url), headers: init?.headers ?? {} });
    return fetch(url, init);
  };
  const started = client({ url: KEYED_URL, reconnectDelay: QUICK, WebSocket: Recording, fetch: fetchImpl, ...options });
  return { client: started, sockets, requests };
}

/** Waits for the client's 'access-denied' and returns the error. */
function denial(viewer) {
  return new Promise((resolve) => {
    if (viewer.accessDenied) resolve(viewer.accessDenied);
    viewer.on('access-denied', resolve);
  });
}

test('without a key the client stops with a 401 error state, both sockets refused', async () => {
  const { client: viewer, sockets } = recordingClient({ run: uniqueRun('no-key') });

  const error = await denial(viewer);

  assert.ok(error instanceof AccessDeniedError);
  assert.equal(error.status, 401);
  assert.match(error.message, /401 Unauthorized.*needs an access key/);
  assert.equal(viewer.accessDenied, error);
  await waitUntil(() => viewer.connections.frame === 'refused' && viewer.connections.control === 'refused', 'both sockets end refused');
  await assert.rejects(viewer.ready(), error);
  assert.ok(sockets.every((address) => !address.includes('access_token')), 'no key, no token');
});

test('a wrong key is refused with 401 as well, and the key never shows in the error', async () => {
  const wrong = 'not-the-key-0123456789abcdef';
  const { client: viewer } = recordingClient({ run: uniqueRun('wrong-key'), accessKey: wrong });

  const error = await denial(viewer);

  assert.equal(error.status, 401);
  assert.ok(!error.message.includes(wrong));
});

test('a streamer with the viewer key is refused with 403, which names the streamer key', async () => {
  const { client: streamer } = recordingClient({ run: uniqueRun('viewer-key-streams'), role: 'streamer', accessKey: VIEWER_KEY });

  const error = await denial(streamer);

  assert.equal(error.status, 403);
  assert.match(error.message, /streamer key/);
  assert.deepEqual(streamer.connections, { frame: 'refused', control: 'refused' });
  assert.throws(() => streamer.send(frame(1)), error);
});

test('with the right keys: sockets carry ?access_token=, HTTP carries Bearer, frames flow', async () => {
  const run = uniqueRun('keyed');
  const watching = recordingClient({ run, accessKey: VIEWER_KEY });
  const streaming = recordingClient({ run, role: 'streamer', accessKey: STREAMER_KEY });
  const seen = [];
  watching.client.on('frame', (received) => seen.push(numberOf(received)));
  await Promise.all([watching.client.ready(), streaming.client.ready()]);
  await waitViewers(run, 1, KEYED_URL, VIEWER_KEY);

  await streaming.client.putScene(scene('cartpole'));
  const fetched = await watching.client.getScene();
  streaming.client.send(frame(1));
  await waitUntil(() => seen.includes(1), 'the frame arrives');

  assert.ok(fetched.info.loaded);
  assert.ok(watching.sockets.every((address) => address.includes(`access_token=${VIEWER_KEY}`)), watching.sockets.join(' '));
  assert.ok(streaming.sockets.every((address) => address.includes(`access_token=${STREAMER_KEY}`)));
  const requests = [...watching.requests, ...streaming.requests];
  assert.ok(requests.length >= 3);
  for (const { url, headers } of requests) {
    assert.ok(!url.includes('access_token'), `no key in an HTTP address: ${url}`);
  }
  assert.ok(watching.requests.every(({ headers }) => headers.Authorization === `Bearer ${VIEWER_KEY}`));
  assert.ok(streaming.requests.every(({ headers }) => headers.Authorization === `Bearer ${STREAMER_KEY}`));
});

test('an HTTP 403 is thrown and leaves a viewer running; a 401 stops the client', async () => {
  const run = uniqueRun('http-refusals');
  const viewer = client({ url: KEYED_URL, run, accessKey: VIEWER_KEY });
  await viewer.ready();

  const forbidden = await viewer.putScene(scene('cartpole')).then(() => null, (error) => error);
  assert.ok(forbidden instanceof AccessDeniedError);
  assert.equal(forbidden.status, 403);
  assert.equal(viewer.accessDenied, null, 'watching still works');
  assert.deepEqual(viewer.connections, { frame: 'open', control: 'open' });

  const keyless = client({ url: KEYED_URL, run, frames: false, control: false });
  await assert.rejects(keyless.getSceneInfo(), (error) => error instanceof AccessDeniedError && error.status === 401);
  assert.equal(keyless.accessDenied?.status, 401);
});
