// The package as others take it: imported by its name through package.json's "exports", its
// declarations naming exactly what the module exports, and nothing imported but its own files, so
// a browser bundle needs nothing else and Node needs no WebSocket package of it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import * as byPath from '../src/index.js';

const root = new URL('../', import.meta.url);

test('the package imports by its name and gives the module of src/index.js', async () => {
  const byName = await import('brax-viewer-client');
  assert.deepEqual(Object.keys(byName).sort(), Object.keys(byPath).sort());
  assert.equal(byName.BraxViewerClient, byPath.BraxViewerClient);
});

test('index.d.ts declares exactly the exports of the module', () => {
  const declarations = readFileSync(new URL('index.d.ts', root), 'utf8');
  const values = [...declarations.matchAll(/^export (?:declare )?(?:class|function|const) (\w+)/gm)].map((match) => match[1]);
  assert.deepEqual([...new Set(values)].sort(), Object.keys(byPath).sort());
  const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  assert.equal(manifest.exports['.'].types, './index.d.ts');
  assert.equal(manifest.exports['.'].default, './src/index.js');
  assert.equal(manifest.type, 'module');
});

test('the sources import only each other', () => {
  const sources = readdirSync(new URL('src/', root)).filter((name) => name.endsWith('.js'));
  for (const name of sources) {
    const text = readFileSync(new URL(`src/${name}`, root), 'utf8');
    for (const [, specifier] of text.matchAll(/^\s*(?:import|export)\b[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      assert.match(specifier, /^\.\/[\w-]+\.js$/, `${name} imports ${specifier}`);
      assert.ok(sources.includes(specifier.slice(2)), `${name} imports ${specifier}, which is not in src/`);
    }
  }
});
