// Addresses and headers: the run and the key in socket queries (?access_token=, as browsers need),
// the key as Authorization: Bearer for HTTP, ws: or wss: after the server's scheme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Endpoints } from '../src/index.js';

test('the default run adds no query; a run, a streamer and a key do', () => {
  const plain = new Endpoints({ url: 'http://127.0.0.1:8000/' });
  assert.equal(plain.socket('/ws/frame'), 'ws://127.0.0.1:8000/ws/frame');
  assert.equal(plain.http('/api/system/info'), 'http://127.0.0.1:8000/api/system/info');
  assert.deepEqual(plain.headers(), {});
  assert.equal(plain.runName, 'default');

  const keyed = new Endpoints({ url: 'https://viewer.example/base', run: 'cart.pole-1', accessKey: 'a+b/c=' });
  assert.equal(keyed.socket('/ws/frame', { streamer: true }), 'wss://viewer.example/base/ws/frame?is_streamer=true&run=cart.pole-1&access_token=a%2Bb%2Fc%3D');
  assert.equal(keyed.http('/api/system', { num_envs: 4 }), 'https://viewer.example/base/api/system?num_envs=4&run=cart.pole-1');
  assert.deepEqual(keyed.headers(), { Authorization: 'Bearer a+b/c=' });
});

test('ws: and wss: addresses are taken as their server', () => {
  assert.equal(new Endpoints({ url: 'wss://host:8443' }).baseUrl, 'https://host:8443');
  assert.equal(new Endpoints({ url: 'ws://host:8000' }).socket('/ws/control'), 'ws://host:8000/ws/control');
});

test('a run the server would refuse, or an address that is not http(s) or ws(s), is refused at once', () => {
  assert.throws(() => new Endpoints({ run: 'no spaces' }), /run must be/);
  assert.throws(() => new Endpoints({ run: 'x'.repeat(65) }), /run must be/);
  assert.throws(() => new Endpoints({ url: 'ftp://host' }), /url must be/);
  assert.equal(new Endpoints({ run: '' }).run, null, 'an empty run is the default run');
});
