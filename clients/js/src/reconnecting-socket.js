// A WebSocket that reconnects by itself: the server may restart, or a proxy may cut an idle flow,
// and a client must recover without anyone's help. Delays come from a Backoff (doubling, jittered)
// that starts over after every successful open.
import { Backoff } from './backoff.js';

const OPEN = 1;

/**
 * The states a connection goes through.
 * - `idle`: not started; `connecting`: a connect is under way; `open`: connected;
 * - `retrying`: lost or failed, reconnecting after `retryInMs`;
 * - `refused`: stopped because the server refused the access key; `closed`: stopped by close().
 * @typedef {'idle' | 'connecting' | 'open' | 'retrying' | 'refused' | 'closed'} ConnectionState
 */

/**
 * @typedef {object} SocketHandlers
 * @property {() => void} [onOpen]
 * @property {(text: string) => void} [onMessage] each text message (binary ones are not part of the protocol)
 * @property {(status: {state: ConnectionState, retryInMs?: number}) => void} [onStatus]
 * @property {() => void} [onFailedBeforeOpen] a connect failed before it opened: all a browser learns
 *   of a refused key (401/403) or of a server that is down
 */

export class ReconnectingSocket {
  /**
   * @param {() => string} url the address, asked again before every connect
   * @param {any} WebSocketImpl a constructor with the browser's WebSocket interface (the `ws` package's included)
   * @param {{min?: number, max?: number}} reconnectDelay
   * @param {SocketHandlers} handlers
   */
  constructor(url, WebSocketImpl, reconnectDelay, handlers) {
    this.url = url;
    this.WebSocketImpl = WebSocketImpl;
    this.backoff = new Backoff(reconnectDelay);
    this.handlers = handlers;
    /** @type {any} */
    this.socket = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** @type {ConnectionState} */
    this.state = 'idle';
    this.stopped = true;
    /** Successful opens so far. */
    this.opens = 0;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.#connect();
  }

  /**
   * Stops for good, in `state` ('closed', or 'refused' after a refused key). Resolves once the socket
   * has closed; what was sent before is still delivered.
   * @param {ConnectionState} [state]
   * @returns {Promise<void>}
   */
  stop(state = 'closed') {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    this.#status({ state });
    if (!socket || socket.readyState >= 2) return Promise.resolve();
    return new Promise((resolve) => {
      socket.addEventListener('close', () => resolve(undefined));
      // A socket still connecting cannot send a close frame; closing it drops the attempt.
      socket.close(socket.readyState === OPEN ? 1000 : undefined);
    });
  }

  get isOpen() {
    return this.socket?.readyState === OPEN;
  }

  /** Bytes handed to the socket and not yet sent. */
  get bufferedAmount() {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Sends text if connected; returns whether it went out. @param {string} text */
  send(text) {
    if (!this.isOpen) return false;
    this.socket.send(text);
    return true;
  }

  #connect() {
    this.#status({ state: 'connecting' });
    let socket;
    try {
      socket = new this.WebSocketImpl(this.url());
    } catch (error) {
      // A malformed address is a programming error, not a network one: retrying cannot fix it.
      this.stopped = true;
      this.#status({ state: 'closed' });
      throw error;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.opens += 1;
      this.backoff.reset();
      this.#status({ state: 'open' });
      this.handlers.onOpen?.();
    };
    socket.onmessage = (/** @type {{data: unknown}} */ event) => {
      if (this.socket === socket && typeof event.data === 'string') this.handlers.onMessage?.(event.data);
    };
    // An error event always comes with a close event; reconnecting from one place avoids two timers.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      const delay = this.backoff.next();
      this.#status({ state: 'retrying', retryInMs: delay });
      this.timer = setTimeout(() => this.#connect(), delay);
      if (!opened) this.handlers.onFailedBeforeOpen?.();
    };
  }

  /** @param {{state: ConnectionState, retryInMs?: number}} status */
  #status(status) {
    this.state = status.state;
    this.handlers.onStatus?.(status);
  }
}
