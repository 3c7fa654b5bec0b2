// One client of one run: its frame stream (/ws/frame, as a viewer or a streamer) and its control
// connection (/ws/control: the render toggle, scene notices, viewer counts), both reconnecting,
// and the run's scene over HTTP, all with one access key. A key the server refuses stops the
// client for good in one clear state, instead of reconnecting in silence forever.
import { probeAccess } from './access-probe.js';
import { Endpoints } from './endpoints.js';
import { AccessDeniedError } from './errors.js';
import { FrameDelivery } from './frame-delivery.js';
import { resolveFetch } from './http.js';
import { Listeners } from './listeners.js';
import { NewestPerEnv, envOf } from './newest-per-env.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import { getScene, getSceneInfo, putScene } from './scenes.js';

/** While backed up, how often a streamer looks whether its socket has room again (no event says so). */
const FLUSH_POLL_MS = 10;

/**
 * @typedef {import('./reconnecting-socket.js').ConnectionState} ConnectionState
 * @typedef {import('./scenes.js').SceneInfo} SceneInfo
 * @typedef {'frame' | 'control'} ConnectionName
 */

/**
 * @typedef {object} ClientOptions
 * @property {string} [url] the server: http://, https://, ws:// or wss:// (default: the page's origin, or http://127.0.0.1:8000)
 * @property {string | null} [run] the run (default: the server's `default`)
 * @property {string | null} [accessKey] the viewer or streamer key of a server with keys
 * @property {'viewer' | 'streamer'} [role] what the frame stream does (default: viewer)
 * @property {boolean} [frames] open /ws/frame (default: true)
 * @property {boolean} [control] open /ws/control (default: true)
 * @property {any} [WebSocket] a WebSocket class; default: the global one (browsers, Node 22 and later); on Node 20 the `ws` package's
 * @property {typeof globalThis.fetch} [fetch] default: the global fetch
 * @property {{min?: number, max?: number}} [reconnectDelay] milliseconds between reconnects, doubling with jitter (default 250 to 5000)
 * @property {number} [maxBufferedBytes] a streamer holds frames while its socket has more than this waiting to be sent (default 1 MiB)
 * @property {number} [maxPendingEnvs] environments whose newest frame may wait at once (default 4096)
 */

/**
 * @typedef {object} FrameMeta
 * @property {number | null} envId the frame's `env_id`, null without one
 * @property {string} text the frame as the streamer sent it
 */

/**
 * @typedef {object} ClientStats
 * @property {number} received frames that arrived (viewer)
 * @property {number} delivered frames handed to the 'frame' listeners
 * @property {number} skipped frames replaced by a newer one of their environment before the listeners took them
 * @property {number} pending frames waiting for the listeners now: at most one per environment
 * @property {number} invalid messages on the frame stream that were not JSON
 * @property {number} sent frames written to the socket (streamer)
 * @property {number} held frames waiting to be sent now (streamer): at most one per environment
 * @property {number} replaced frames replaced by a newer one of their environment before they were sent
 * @property {{frame: number, control: number}} opens successful connects of each socket
 */

export class BraxViewerClient {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    const role = options.role ?? 'viewer';
    if (role !== 'viewer' && role !== 'streamer') throw new TypeError(`role must be 'viewer' or 'streamer', not ${JSON.stringify(role)}`);
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (typeof WebSocketImpl !== 'function') {
      throw new TypeError('no WebSocket implementation: on Node 20 pass { WebSocket } from the ws package');
    }
    /** @type {'viewer' | 'streamer'} */
    this.role = role;
    this.endpoints = new Endpoints(options);
    this.fetch = resolveFetch(options.fetch);
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    /** Whether rendering is on for the run, as the server last said (true until told otherwise). */
    this.renderingEnabled = true;
    /** @type {number | null} viewers of the run, as the server last said; null until it does */
    this.viewerCount = null;
    /** @type {AccessDeniedError | null} why the client stopped, when the server refused its key */
    this.accessDenied = null;

    this.listeners = new Listeners();
    this.closed = false;
    this.started = false;
    this.received = 0;
    this.invalid = 0;
    this.sent = 0;
    this.probing = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.flushTimer = undefined;
    /** @type {NewestPerEnv<string>} a streamer's frames waiting for room on the socket */
    this.outbox = new NewestPerEnv(options.maxPendingEnvs);
    /** @type {FrameDelivery<{frame: any, meta: FrameMeta}>} */
    this.delivery = new FrameDelivery(
      ({ frame, meta }) => settled(this.listeners.emit('frame', [frame, meta], (error) => this.#report(error))),
      (error) => this.#report(error),
      options.maxPendingEnvs,
    );

    const delay = options.reconnectDelay ?? {};
    const streamer = role === 'streamer';
    /** @type {ReconnectingSocket | null} */
    this.frameSocket = options.frames === false ? null : new ReconnectingSocket(
      () => this.endpoints.socket('/ws/frame', { streamer }), WebSocketImpl, delay, {
        onOpen: () => {
          this.#emit('open', { connection: 'frame' });
          this.#flush();
        },
        onMessage: (text) => this.#onFrame(text),
        onStatus: (status) => this.#emit('status', { connection: 'frame', ...status }),
        onFailedBeforeOpen: () => this.#checkAccess(streamer),
      });
    /** @type {ReconnectingSocket | null} */
    this.controlSocket = options.control === false ? null : new ReconnectingSocket(
      () => this.endpoints.socket('/ws/control'), WebSocketImpl, delay, {
        onOpen: () => this.#emit('open', { connection: 'control' }),
        onMessage: (text) => this.#onControl(text),
        onStatus: (status) => this.#emit('status', { connection: 'control', ...status }),
        onFailedBeforeOpen: () => this.#checkAccess(false),
      });
  }

  /** The server's http(s) address. */
  get url() {
    return this.endpoints.baseUrl;
  }

  /** The run's name. */
  get run() {
    return this.endpoints.runName;
  }

  /** The state of each socket; a socket the client does not open is 'idle'. @returns {{frame: ConnectionState, control: ConnectionState}} */
  get connections() {
    return { frame: this.frameSocket?.state ?? 'idle', control: this.controlSocket?.state ?? 'idle' };
  }

  /** @returns {ClientStats} */
  get stats() {
    return {
      received: this.received,
      delivered: this.delivery.delivered,
      skipped: this.delivery.skipped,
      pending: this.delivery.pending,
      invalid: this.invalid,
      sent: this.sent,
      held: this.outbox.size,
      replaced: this.outbox.replaced,
      opens: { frame: this.frameSocket?.opens ?? 0, control: this.controlSocket?.opens ?? 0 },
    };
  }

  /**
   * Listens to an event; returns the function that stops listening.
   * - 'frame' (frame, {envId, text}): a viewer's newest frame of an environment. A listener that
   *   returns a promise gets the next frame once it settles; frames arriving meanwhile replace the
   *   waiting one of their environment, so nothing queues and every environment gets its turn.
   * - 'received' (frame, {envId, text}): every frame a viewer receives, as it arrives, none
   *   skipped (for recording a run). Called while the socket's message is handled: keep it short.
   * - 'render-state' (enabled): the run's toggle, on every (re)connect and after every toggle.
   * - 'viewer-count' (count): viewers of the run, on connect and when it changes.
   * - 'refresh' (): the run's scene changed (refresh_web).
   * - 'open' ({connection}): a socket opened, the first time or after a reconnect.
   * - 'status' ({connection, state, retryInMs?}): a socket's state changed.
   * - 'access-denied' (error): the server refused the key; the client has stopped.
   * - 'error' (error): a listener threw (without an 'error' listener it goes to console.error).
   * @param {string} event
   * @param {(...args: any[]) => unknown} listener
   * @returns {() => void}
   */
  on(event, listener) {
    return this.listeners.on(event, listener);
  }

  /** Starts connecting; returns the client. */
  start() {
    if (this.closed) throw new Error('the client is closed');
    if (this.started || this.accessDenied) return this;
    this.started = true;
    this.frameSocket?.start();
    this.controlSocket?.start();
    return this;
  }

  /**
   * Resolves when every socket of the client is open; rejects with the AccessDeniedError when the
   * server refuses the key, or when the client is closed first.
   * @returns {Promise<void>}
   */
  ready() {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.accessDenied) return finish(this.accessDenied);
        if (this.closed) return finish(new Error('the client was closed before it connected'));
        const sockets = [this.frameSocket, this.controlSocket].filter((socket) => socket !== null);
        if (sockets.every((socket) => socket.isOpen)) return finish(null);
        return undefined;
      };
      const offs = [this.on('status', check), this.on('access-denied', check)];
      /** @param {Error | null} error */
      const finish = (error) => {
        offs.forEach((off) => off());
        if (error) reject(error);
        else resolve();
      };
      check();
    });
  }

  /**
   * Streams one frame (streamer only): a frame object, or its JSON text. It goes out at once when the
   * socket is open and not backed up (bufferedAmount at most maxBufferedBytes); otherwise it waits,
   * replacing the waiting frame of its environment (`env_id`), and goes out as soon as there is room.
   * Never waits for the network. Throws the AccessDeniedError once the server has refused the key.
   * @param {any} frame
   * @returns {boolean} whether it was written to the socket now (false: it waits, newest first)
   */
  send(frame) {
    if (this.role !== 'streamer') throw new TypeError("send() streams frames: create the client with role: 'streamer'");
    if (!this.frameSocket) throw new TypeError('send() needs the frame stream: frames must not be false');
    if (this.accessDenied) throw this.accessDenied;
    if (this.closed) throw new Error('the client is closed');
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    const env = envOf(typeof frame === 'string' ? JSON.parse(frame) : frame);
    this.outbox.put(env, text);
    this.#flush();
    return !this.outbox.waiting.has(env);
  }

  /**
   * Turns rendering on or off for the run (needs the streamer key on a server with keys). Every
   * control client of the run, this one included, is then told with 'render-state'.
   * @param {boolean} enabled
   * @returns {boolean} whether it was sent (false while the control socket is not open)
   */
  toggle(enabled) {
    if (typeof enabled !== 'boolean') throw new TypeError('toggle(enabled) takes a boolean');
    if (!this.controlSocket) throw new TypeError('toggle() needs the control connection: control must not be false');
    return this.controlSocket.send(JSON.stringify({ type: 'toggle_render', enabled }));
  }

  /** What the run's scene is. @returns {Promise<SceneInfo>} */
  getSceneInfo() {
    return this.#guard(getSceneInfo({ endpoints: this.endpoints, fetch: this.fetch }));
  }

  /** The run's scene and its info, or null when it has none. @returns {Promise<{info: SceneInfo, system: any} | null>} */
  getScene() {
    return this.#guard(getScene({ endpoints: this.endpoints, fetch: this.fetch }));
  }

  /**
   * Stores the run's scene (an object, or its JSON text); needs the streamer key on a server with keys.
   * @param {any} scene @param {{numEnvs?: number}} [options] @returns {Promise<void>}
   */
  putScene(scene, options = {}) {
    return this.#guard(putScene(scene, { endpoints: this.endpoints, fetch: this.fetch, numEnvs: options.numEnvs }));
  }

  /**
   * Closes both sockets. A streamer first writes its waiting frames if its socket is open. Resolves
   * once the sockets have closed.
   * @returns {Promise<void>}
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    if (this.frameSocket?.isOpen) {
      for (let text = this.outbox.take(); text !== undefined; text = this.outbox.take()) this.#write(text);
    }
    this.outbox.clear();
    this.delivery.clear();
    await Promise.all([this.frameSocket?.stop(), this.controlSocket?.stop()]);
  }

  /** @param {string} text */
  #onFrame(text) {
    if (this.role !== 'viewer') return;
    this.received += 1;
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      this.invalid += 1;
      return;
    }
    const envId = envOf(frame);
    const meta = { envId, text };
    // Recorders see every frame, at once; the 'frame' listeners see each environment's newest.
    if (this.listeners.has('received')) this.#emit('received', frame, meta);
    this.delivery.push(envId, { frame, meta });
  }

  /** @param {string} text */
  #onControl(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    // Unknown types are ignored: a server may add more.
    if (message?.type === 'set_render_state' && typeof message.enabled === 'boolean') {
      this.renderingEnabled = message.enabled;
      this.#emit('render-state', message.enabled);
    } else if (message?.type === 'viewer_count' && Number.isInteger(message.count) && message.count >= 0) {
      this.viewerCount = message.count;
      this.#emit('viewer-count', message.count);
    } else if (message?.type === 'refresh_web') {
      this.#emit('refresh');
    }
  }

  // Writes waiting frames while the socket is open and has room; looks again shortly while it has none.
  #flush() {
    const socket = this.frameSocket;
    if (this.role !== 'streamer' || !socket || this.closed) return;
    while (this.outbox.size > 0 && socket.isOpen && socket.bufferedAmount <= this.maxBufferedBytes) {
      this.#write(/** @type {string} */ (this.outbox.take()));
    }
    if (this.outbox.size > 0 && socket.isOpen && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.#flush();
      }, FLUSH_POLL_MS);
    }
  }

  /** @param {string} text */
  #write(text) {
    if (this.frameSocket?.send(text)) this.sent += 1;
  }

  // A socket failed before it opened: ask the HTTP API, with the key, whether it was refused.
  /** @param {boolean} streamer */
  async #checkAccess(streamer) {
    if (this.probing || this.accessDenied || this.closed) return;
    this.probing = true;
    try {
      const answer = await probeAccess(this.fetch, this.endpoints, { streamer });
      if (answer instanceof AccessDeniedError) this.#deny(answer);
    } finally {
      this.probing = false;
    }
  }

  /**
   * Passes a request's answer through; a 401 (no key or a wrong one, so nothing will work) stops the client.
   * @template T @param {Promise<T>} promise @returns {Promise<T>}
   */
  async #guard(promise) {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof AccessDeniedError && error.status === 401) this.#deny(error);
      throw error;
    }
  }

  /** @param {AccessDeniedError} error */
  #deny(error) {
    if (this.accessDenied || this.closed) return;
    this.accessDenied = error;
    clearTimeout(this.flushTimer);
    this.outbox.clear();
    this.delivery.clear();
    this.frameSocket?.stop('refused');
    this.controlSocket?.stop('refused');
    this.#emit('access-denied', error);
  }

  /** @param {string} event @param {unknown[]} args */
  #emit(event, ...args) {
    this.listeners.emit(event, args, (error) => this.#report(error));
  }

  /** @param {unknown} error */
  #report(error) {
    if (this.listeners.has('error')) this.listeners.emit('error', [error], (inner) => console.error(inner));
    else console.error(error);
  }
}

/** Waits for the promises among listeners' results. @param {unknown[]} results */
function settled(results) {
  const promises = results.filter((result) => result && typeof (/** @type {any} */ (result).then) === 'function');
  return promises.length ? Promise.allSettled(promises).then((outcomes) => {
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw /** @type {PromiseRejectedResult} */ (failed).reason;
  }) : undefined;
}

/**
 * Creates a client and starts it.
 * @param {ClientOptions} [options]
 */
export function connect(options) {
  return new BraxViewerClient(options).start();
}
