// Requests to the HTTP API with the key as Authorization: Bearer. Error answers become errors that
// carry the status and the server's own message ({"status":"error","message":…}); 401 and 403
// become AccessDeniedError.
import { AccessDeniedError, BraxViewerHttpError, isRefusal } from './errors.js';

/** @typedef {typeof globalThis.fetch} Fetch */

/** The fetch to use: the one given, else the global one (browsers, Node 18 and later). @param {Fetch | undefined} given */
export function resolveFetch(given) {
  const fetchImpl = given ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('no fetch implementation: pass { fetch } in the options');
  return given ? fetchImpl : (/** @type {Fetch} */ (input, init) => globalThis.fetch(input, init));
}

/**
 * Sends a request and returns the answer when its status is 2xx or one of `allowed`; otherwise throws.
 * @param {Fetch} fetchImpl
 * @param {import('./endpoints.js').Endpoints} endpoints
 * @param {string} url
 * @param {{method?: string, body?: BodyInit, headers?: Record<string, string>, allowed?: number[]}} [init]
 * @returns {Promise<Response>}
 */
export async function request(fetchImpl, endpoints, url, { method = 'GET', body, headers = {}, allowed = [] } = {}) {
  const response = await fetchImpl(url, { method, body, cache: 'no-store', headers: { ...endpoints.headers(), ...headers } });
  if (response.ok || allowed.includes(response.status)) return response;
  const serverMessage = await errorMessage(response);
  if (isRefusal(response.status)) throw new AccessDeniedError(response.status, url, serverMessage);
  throw new BraxViewerHttpError(response.status, url, serverMessage);
}

/** The `message` of the server's JSON error body, or null. @param {Response} response */
async function errorMessage(response) {
  try {
    const body = await response.json();
    return typeof body?.message === 'string' ? body.message : null;
  } catch {
    return null;
  }
}
