// What the tests share: the servers the C# suite started for them, raw clients written directly on
// the ws package (so the client is checked against the wire, not against itself), and waiting on
// conditions instead of sleeping.
//
// The C# test (Brax.Viewer.Tests/JavaScript/JsClientLibraryTests.cs) starts the real server
// in-process on loopback ports and runs `node --test test/FILE` with:
// - BRAX_VIEWER_URL: a server without keys;
// - BRAX_VIEWER_KEYED_URL, BRAX_VIEWER_STREAMER_KEY, BRAX_VIEWER_VIEWER_KEY: a server with both keys;
// - BRAX_VIEWER_SERVER_COMMANDS: a Unix socket on which `stop` or `start` stops the server without
//   keys, or starts it again on the same port, and is answered `ok` once done.
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { after } from 'node:test';
import WebSocket from 'ws';
import { BraxViewerClient } from '../src/index.js';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: these tests run from the C# suite `
      + '(dotnet test --filter FullyQualifiedName~JsClientLibraryTests), which starts the servers');
  }
  return value;
}

export const URL = required('BRAX_VIEWER_URL');
export const KEYED_URL = required('BRAX_VIEWER_KEYED_URL');
export const STREAMER_KEY = required('BRAX_VIEWER_STREAMER_KEY');
export const VIEWER_KEY = required('BRAX_VIEWER_VIEWER_KEY');

export { WebSocket };

// Everything a test opens is closed after the file's tests, also when one fails: an open socket
// would keep the test process alive.
const opened = new Set();
after(() => Promise.all([...opened].map((resource) => resource.close())));

/**
 * A started client of the server without keys (or of `options.url`), with the ws package, closed
 * after the file's tests.
 * @param {import('../src/client.js').ClientOptions} [options]
 */
export function client(options = {}) {
  const started = new BraxViewerClient({ url: URL, WebSocket, ...options });
  opened.add(started);
  return started.start();
}

let runs = 0;

/** A run of its own for one test, so tests sharing a server never see each other's frames. */
export function uniqueRun(prefix) {
  runs += 1;
  return `${prefix}-${process.pid}-${runs}`;
}

/** Asks the C# test to 'stop' or 'start' the server at URL, and waits until it has. */
export function serverCommand(command) {
  return new Promise((resolve, reject) => {
    const socket = createConnection(required('BRAX_VIEWER_SERVER_COMMANDS'));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      answer += chunk;
      if (!answer.includes('\n')) return;
      socket.end();
      if (answer.trim() === 'ok') resolve();
      else reject(new Error(`the test host answered '${answer.trim()}' to '${command}'`));
    });
    socket.on('error', reject);
    socket.write(`${command}\n`);
  });
}

/**
 * Polls `condition` (which may be async) until it returns something truthy; fails naming `what`.
 * @template T @param {() => T | Promise<T>} condition @param {string} what
 * @returns {Promise<T>}
 */
export async function waitUntil(condition, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function httpJson(method, url, body, key) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** A raw WebSocket collecting every text message it receives. */
export class RawSocket {
  constructor(address, key) {
    this.messages = [];
    opened.add(this);
    this.socket = new WebSocket(address, key ? { headers: { Authorization: `Bearer ${key}` } } : undefined);
    this.socket.on('message', (data, isBinary) => {
      if (!isBinary) this.messages.push(data.toString());
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('error', reject);
    });
    this.opened.catch(() => {});
  }

  send(text) {
    this.socket.send(text);
  }

  /** Waits until `predicate(messages)` is truthy and returns it. */
  waitFor(predicate, what, timeoutMs = 10_000) {
    return waitUntil(() => predicate(this.messages), `${what}; got ${this.messages.length} messages`, timeoutMs);
  }

  frames() {
    return this.messages.map((message) => JSON.parse(message));
  }

  close() {
    opened.delete(this);
    if (this.socket.readyState >= WebSocket.CLOSING) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', resolve);
      this.socket.close();
    });
  }
}

function socketAddress(url, path) {
  return url.replace(/^http/, 'ws') + path;
}

/** Waits until the server counts `count` viewers of `run`, as its control socket tells them. */
export async function waitViewers(run, count, url = URL, key = undefined) {
  const control = new RawSocket(socketAddress(url, `/ws/control?run=${run}`), key ?? (url === KEYED_URL ? VIEWER_KEY : undefined));
  try {
    await control.opened;
    await control.waitFor((messages) => {
      const counts = messages.map((message) => JSON.parse(message)).filter((message) => message.type === 'viewer_count');
      return counts.at(-1)?.count === count;
    }, `the server counts ${count} viewers of ${run}`);
  } finally {
    await control.close();
  }
}

/** A raw viewer of `run`, open and counted by the server. */
export async function rawViewer(run, url = URL, key = undefined) {
  const socket = new RawSocket(socketAddress(url, `/ws/frame?run=${run}`), key);
  await socket.opened;
  return socket;
}

/** A raw streamer of `run`, open. */
export async function rawStreamer(run, url = URL, key = undefined) {
  const socket = new RawSocket(socketAddress(url, `/ws/frame?is_streamer=true&run=${run}`), key);
  await socket.opened;
  return socket;
}

/** A raw control socket of `run`, open and greeted. */
export async function rawControl(run, url = URL, key = undefined) {
  const socket = new RawSocket(socketAddress(url, `/ws/control?run=${run}`), key);
  await socket.opened;
  await socket.waitFor((messages) => messages.length > 0, 'the control greeting');
  return socket;
}

/** A small frame numbered `n` (the first body's x position). */
export function frame(n, envId = undefined) {
  const result = { x: { pos: [[n, 0, 0.5]], rot: [[1, 0, 0, 0]] } };
  if (envId !== undefined) result.env_id = envId;
  return result;
}

/** The number of a frame made by `frame()`, from the frame or its text. */
export function numberOf(message) {
  const data = typeof message === 'string' ? JSON.parse(message) : message;
  return data.x.pos[0][0];
}

/** A Brax scene of testdata/brax (`cartpole`, `cartpole_batched4`, …), parsed. */
export function scene(name) {
  return JSON.parse(readFileSync(new globalThis.URL(`../../../testdata/brax/${name}.system.json`, import.meta.url), 'utf8'));
}
