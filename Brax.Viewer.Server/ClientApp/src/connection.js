// A WebSocket that reconnects by itself: exponential backoff with jitter, reset after a
// successful open. The server may restart or a proxy may cut idle flows; the page must recover
// without a manual reload.

const MIN_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/** ws: or wss: URL for a path on this server, matching the page's own scheme (wss: under https). */
export function socketUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

export class ReconnectingSocket {
  /**
   * @param {string} url
   * @param {{onOpen?: () => void, onMessage?: (data: string) => void, onStatus?: (status: {state: string, retryInMs?: number}) => void, onRefusedOrDown?: () => void}} handlers
   *   onRefusedOrDown: a connect failed before it opened, which is all a page learns of a refused
   *   key (401/403) or a server that is down; the page can ask the HTTP API which it was.
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.attempt = 0;
    this.socket = null;
    this.timer = 0;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.#connect();
  }

  /** Stops for good, showing `state` (for example 'refused') as the connection's state. */
  stop(state = 'stopped') {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.#status({ state });
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends text if connected; returns whether it went out. */
  send(text) {
    if (!this.isOpen) return false;
    this.socket.send(text);
    return true;
  }

  #connect() {
    this.#status({ state: 'connecting' });
    const socket = new WebSocket(this.url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.#status({ state: 'open' });
      this.handlers.onOpen?.();
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.handlers.onMessage?.(event.data);
    };
    // onerror is always followed by onclose; reconnecting from one place avoids double timers.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      this.#scheduleReconnect();
      if (!opened) this.handlers.onRefusedOrDown?.();
    };
  }

  #scheduleReconnect() {
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    // Full jitter spreads the reconnects of many pages after a server restart.
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.attempt += 1;
    this.#status({ state: 'retrying', retryInMs: delay });
    this.timer = setTimeout(() => this.#connect(), delay);
  }

  #status(status) {
    this.state = status.state;
    this.handlers.onStatus?.(status);
  }
}
