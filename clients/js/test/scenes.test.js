// The scene helpers against the real server: what a run's scene is, the scene itself (tied to its
// info by the tag), uploads as JSON with the environment count, and the server's reasons for a refusal.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BraxViewerHttpError, getScene, getSceneInfo, putScene } from '../src/index.js';
import { URL, client, scene, uniqueRun } from './support.js';

test('a run without a scene: info says not loaded, getScene gives null', async () => {
  const run = uniqueRun('empty');
  assert.deepEqual(await getSceneInfo({ url: URL, run }), { loaded: false, run });
  assert.equal(await getScene({ url: URL, run }), null);
});

test('putScene stores a batched scene with its environment count; getScene gives it back with its info', async () => {
  const run = uniqueRun('batched');
  const uploader = client({ run, frames: false, control: false });
  const batched = scene('cartpole_batched4');
  delete batched.num_envs;

  await uploader.putScene(batched, { numEnvs: 4 });

  const info = await uploader.getSceneInfo();
  assert.equal(info.loaded, true);
  assert.equal(info.num_envs, 4);
  assert.equal(info.links_per_env, info.links / 4);
  const fetched = await getScene({ url: URL, run });
  assert.deepEqual(fetched.info, info);
  assert.deepEqual(fetched.system, JSON.parse(JSON.stringify(batched)), 'the scene as uploaded (JSON writes -0 as 0)');
});

test('JSON text is uploaded byte for byte, with Content-Type: application/json', async () => {
  const run = uniqueRun('text');
  const text = readFileSync(new globalThis.URL('../../../testdata/brax/cartpole.system.json', import.meta.url), 'utf8');
  const sent = [];
  const recording = (url, init) => {
    sent.push(init);
    return fetch(url, init);
  };

  await putScene(text, { url: URL, run, fetch: recording });

  assert.equal(sent[0].method, 'PUT');
  assert.equal(sent[0].headers['Content-Type'], 'application/json');
  const stored = await fetch(`${URL}/api/system?run=${run}`);
  assert.equal(await stored.text(), text);
});

test('a scene the server refuses is an error with its status and the server\'s reason', async () => {
  const run = uniqueRun('refused');
  const legacy = readFileSync(new globalThis.URL('../../../testdata/brax/legacy-v1/grasp_initial_system.json', import.meta.url));

  const error = await putScene(legacy, { url: URL, run }).then(() => null, (failure) => failure);

  assert.ok(error instanceof BraxViewerHttpError);
  assert.equal(error.status, 400);
  assert.match(error.serverMessage, /brax v1/);
  assert.equal((await getSceneInfo({ url: URL, run })).loaded, false, 'nothing was stored');
  await assert.rejects(putScene(scene('cartpole'), { url: URL, run, numEnvs: 0 }), (failure) => failure.status === 400);
});
