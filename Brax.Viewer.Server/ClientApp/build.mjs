// Bundles the page (src/main.js, the client module of ../../clients/js/src it imports, and three.js
// from node_modules) into dist/viewer.js and copies the static files from public/. The server
// embeds dist/ and serves it; nothing comes from a CDN.
//
// Also builds the offline replay's template, dist/replay/replay.html: the replay bundle
// (src/replay-main.js, three.js included) and the page's style inlined, under a content security
// policy that allows exactly those two by their hashes and no network at all. The server writes
// a scene and its frames where {{DATA}} is.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/replay', { recursive: true });
cpSync('public', 'dist', { recursive: true });

const options = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...options, entryPoints: ['src/main.js'], outfile: 'dist/viewer.js' });
const replay = await build({ ...options, entryPoints: ['src/replay-main.js'], write: false, outfile: 'replay.js' });

const script = replay.outputFiles[0].text.trim();
const style = `${readFileSync('public/style.css', 'utf8')}\n${readFileSync('replay/replay.css', 'utf8')}`.trim();
// Inline, an end tag inside the code would close the element early.
for (const [name, text] of [['script', script], ['style', style]]) {
  if (new RegExp(`</${name}`, 'i').test(text)) throw new Error(`the replay's ${name} holds </${name}: it cannot be inlined`);
}
const hash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const csp = [
  "default-src 'none'",
  `script-src ${hash(script)}`,
  `style-src ${hash(style)}`,
  'img-src data: blob:',
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const template = readFileSync('replay/replay.html', 'utf8');
const parts = template.split(/(\{\{(?:CSP|STYLE|SCRIPT)\}\})/);
const values = { '{{CSP}}': csp, '{{STYLE}}': style, '{{SCRIPT}}': script };
writeFileSync('dist/replay/replay.html', parts.map((part) => values[part] ?? part).join(''));
