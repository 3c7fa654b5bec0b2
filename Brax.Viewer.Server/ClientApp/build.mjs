// Bundles the page (src/main.js, the client module of ../../clients/js/src it imports, and three.js
// from node_modules) into dist/viewer.js and copies the static files from public/. The server
// embeds dist/ and serves it; nothing comes from a CDN.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
cpSync('public', 'dist', { recursive: true });

await build({
  entryPoints: ['src/main.js'],
  outfile: 'dist/viewer.js',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
