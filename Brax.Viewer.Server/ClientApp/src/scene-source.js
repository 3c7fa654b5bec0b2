// Fetches the run's scene. /api/system/info always answers 200 (so a waiting page never logs a
// 404), then /api/system gives the JSON; the tag ties the two together if the scene changed
// between the requests. A 401 or 403 is an AccessRefusedError: no retry can fix a wrong key.
import { AccessRefusedError, authorization, isRefusal } from './access.js';

const ATTEMPTS = 3;

async function get(url, key) {
  const response = await fetch(url, { cache: 'no-store', headers: authorization(key) });
  if (isRefusal(response)) throw new AccessRefusedError(response.status);
  return response;
}

/** @returns {Promise<{loaded: false} | {loaded: true, info: object, system: object}>} */
export async function fetchScene(runQuery, key) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const info = await (await get(`/api/system/info?${runQuery}`, key)).json();
    if (!info.loaded) return { loaded: false };
    const response = await get(`/api/system?${runQuery}`, key);
    if (response.ok && response.headers.get('X-Scene-Tag') === info.tag) {
      return { loaded: true, info, system: await response.json() };
    }
  }
  throw new Error('the scene kept changing while it was fetched');
}

/**
 * Asks the API, with the key, whether this page may watch the run. A refused WebSocket shows the
 * page nothing but a failed connect, so this is how it tells a wrong key from a server that is down.
 * @returns {Promise<boolean | null>} false when refused, true when allowed, null when the server is unreachable
 */
export async function checkAccess(runQuery, key) {
  try {
    await get(`/api/system/info?${runQuery}`, key);
    return true;
  } catch (error) {
    return error instanceof AccessRefusedError ? false : null;
  }
}
