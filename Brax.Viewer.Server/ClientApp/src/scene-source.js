// Fetches the run's scene. /api/system/info always answers 200 (so a waiting page never logs a
// 404), then /api/system gives the JSON; the tag ties the two together if the scene changed
// between the requests.

const ATTEMPTS = 3;

/** @returns {Promise<{loaded: false} | {loaded: true, info: object, system: object}>} */
export async function fetchScene(runQuery) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const info = await (await fetch(`/api/system/info?${runQuery}`, { cache: 'no-store' })).json();
    if (!info.loaded) return { loaded: false };
    const response = await fetch(`/api/system?${runQuery}`, { cache: 'no-store' });
    if (response.ok && response.headers.get('X-Scene-Tag') === info.tag) {
      return { loaded: true, info, system: await response.json() };
    }
  }
  throw new Error('the scene kept changing while it was fetched');
}
