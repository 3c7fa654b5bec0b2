// Where the server's endpoints are, for one run and one access key: WebSocket addresses carry the
// key as ?access_token= (a browser cannot set headers on a WebSocket), HTTP requests as
// Authorization: Bearer (a header stays out of proxy and access logs).

const RUN = /^[A-Za-z0-9_.-]{1,64}$/;
const FALLBACK_URL = 'http://127.0.0.1:8000';

/** The server's address when none is given: the page's own origin in a browser, else the server's default. */
export function defaultUrl() {
  const origin = globalThis.location?.origin;
  return typeof origin === 'string' && /^https?:/.test(origin) ? origin : FALLBACK_URL;
}

export class Endpoints {
  /**
   * @param {{url?: string, run?: string | null, accessKey?: string | null}} [options]
   *   url: http://, https://, ws:// or wss:// (default: the page's origin, or http://127.0.0.1:8000);
   *   run: 1 to 64 of A-Z a-z 0-9 _ - . (none or empty: the server's `default`).
   */
  constructor({ url, run, accessKey } = {}) {
    const base = new URL(url ?? defaultUrl());
    const scheme = { 'ws:': 'http:', 'wss:': 'https:' }[base.protocol] ?? base.protocol;
    if (scheme !== 'http:' && scheme !== 'https:') {
      throw new TypeError(`url must be http://, https://, ws:// or wss://, not ${JSON.stringify(url)}`);
    }
    if (run !== undefined && run !== null && run !== '' && !RUN.test(run)) {
      throw new TypeError(`run must be 1 to 64 of A-Z a-z 0-9 _ - . , not ${JSON.stringify(run)}`);
    }
    /** @type {string} the server's http(s) address, without a trailing slash */
    this.baseUrl = `${scheme}//${base.host}${base.pathname.replace(/\/+$/, '')}`;
    /** @type {string | null} the run, or null for the server's default run */
    this.run = run || null;
    /** @type {string | null} */
    this.accessKey = accessKey || null;
  }

  /** The run's name as the server knows it. */
  get runName() {
    return this.run ?? 'default';
  }

  /**
   * An HTTP address on the server, with the run in its query.
   * @param {string} path
   * @param {Record<string, string | number | undefined>} [query]
   */
  http(path, query = {}) {
    return this.baseUrl + path + queryString({ ...query, run: this.run ?? undefined });
  }

  /**
   * A WebSocket address (ws: or wss:, after the server's scheme) with the run and the key in its query.
   * The default run adds nothing, so the documented endpoints are used exactly as the original page used them.
   * @param {string} path
   * @param {{streamer?: boolean}} [options]
   */
  socket(path, { streamer = false } = {}) {
    const base = this.baseUrl.replace(/^http/, 'ws');
    return base + path + queryString({ is_streamer: streamer ? 'true' : undefined, run: this.run ?? undefined, access_token: this.accessKey ?? undefined });
  }

  /** The headers that present the key to the HTTP API. @returns {Record<string, string>} */
  headers() {
    return this.accessKey ? { Authorization: `Bearer ${this.accessKey}` } : {};
  }
}

/** @param {Record<string, string | number | undefined>} query */
function queryString(query) {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
