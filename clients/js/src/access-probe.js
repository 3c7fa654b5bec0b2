// A WebSocket refused before it opened tells its client nothing but "closed": browsers (and the
// WebSocket of Node 22) hide the HTTP status of a failed handshake. The server's answer over
// plain HTTP, with the same key, tells a refused key from a server that is down.
import { AccessDeniedError } from './errors.js';
import { request } from './http.js';

/**
 * Asks the server, with the key, whether a socket of this kind may connect. Watching (a viewer or
 * the control socket) is what GET /api/system/info needs. Streaming needs more, and no API request
 * reads as much without changing something, so a streamer asks its own socket address over plain
 * HTTP: the server checks the key before anything else and, when the key may stream, answers 400
 * (not a WebSocket handshake).
 * @param {typeof globalThis.fetch} fetchImpl
 * @param {import('./endpoints.js').Endpoints} endpoints
 * @param {{streamer: boolean}} kind
 * @returns {Promise<AccessDeniedError | 'allowed' | 'unreachable'>} the refusal, or why there is none
 */
export async function probeAccess(fetchImpl, endpoints, { streamer }) {
  const url = streamer
    ? endpoints.http('/ws/frame', { is_streamer: 'true' })
    : endpoints.http('/api/system/info');
  try {
    const response = await request(fetchImpl, endpoints, url, { allowed: streamer ? [400] : [] });
    await response.body?.cancel();
    return 'allowed';
  } catch (error) {
    if (error instanceof AccessDeniedError) return error;
    return 'unreachable';
  }
}
