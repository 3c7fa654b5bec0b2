// The run's Brax scene over the HTTP API: GET /api/system/info (always 200, so a waiting client can
// poll it), GET /api/system (the scene byte for byte, with X-Scene-Tag), PUT /api/system.
import { Endpoints } from './endpoints.js';
import { request, resolveFetch } from './http.js';

const ATTEMPTS = 3;

/**
 * @typedef {object} SceneInfo
 * @property {boolean} loaded whether the run has a scene
 * @property {string} run
 * @property {string} [tag] identifies one upload (also the X-Scene-Tag header of GET /api/system)
 * @property {number} [links] bodies of the whole scene
 * @property {number | null} [num_envs] environments of a batched scene, null for one
 * @property {number | null} [links_per_env]
 * @property {number} [bytes]
 */

/**
 * @typedef {object} HttpOptions
 * @property {string} [url] the server (default: the page's origin, or http://127.0.0.1:8000)
 * @property {string | null} [run]
 * @property {string | null} [accessKey] sent as Authorization: Bearer
 * @property {typeof globalThis.fetch} [fetch]
 */

/** @param {HttpOptions | {endpoints: Endpoints, fetch?: typeof globalThis.fetch}} options */
function context(options) {
  const endpoints = 'endpoints' in options ? options.endpoints : new Endpoints(options);
  return { endpoints, fetchImpl: resolveFetch(options.fetch) };
}

/**
 * What the run's scene is, without fetching it.
 * @param {HttpOptions} [options]
 * @returns {Promise<SceneInfo>}
 */
export async function getSceneInfo(options = {}) {
  const { endpoints, fetchImpl } = context(options);
  return (await request(fetchImpl, endpoints, endpoints.http('/api/system/info'))).json();
}

/**
 * The run's scene and what it is, or null when the run has none. The tag ties the two requests
 * together: if the scene changed in between, both are asked again.
 * @param {HttpOptions} [options]
 * @returns {Promise<{info: SceneInfo, system: any} | null>}
 */
export async function getScene(options = {}) {
  const { endpoints, fetchImpl } = context(options);
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const info = await getSceneInfo({ endpoints, fetch: fetchImpl });
    if (!info.loaded) return null;
    const response = await request(fetchImpl, endpoints, endpoints.http('/api/system'), { allowed: [404] });
    if (response.ok && response.headers.get('X-Scene-Tag') === info.tag) {
      return { info, system: await response.json() };
    }
    await response.body?.cancel();
  }
  throw new Error('the scene kept changing while it was fetched');
}

/**
 * Stores the run's scene (what brax.io.json.dumps returns); every control client of the run is told
 * with refresh_web. Needs the streamer key on a server with keys.
 * @param {any} scene an object, or its JSON text or bytes
 * @param {HttpOptions & {numEnvs?: number}} [options] numEnvs: environments of a batched scene
 * @returns {Promise<void>}
 */
export async function putScene(scene, options = {}) {
  const { endpoints, fetchImpl } = context(options);
  const body = typeof scene === 'string' || scene instanceof Uint8Array ? scene : JSON.stringify(scene);
  const url = endpoints.http('/api/system', { num_envs: options.numEnvs });
  const response = await request(fetchImpl, endpoints, url, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } });
  await response.body?.cancel();
}
