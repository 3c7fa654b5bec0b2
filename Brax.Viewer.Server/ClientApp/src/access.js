// The access key the page was opened with (/?access_token=KEY, the server's viewer or streamer
// key); the client module (clients/js) presents it to the server. It is taken out of the address bar before anything else runs, so it ends up in no
// history entry, bookmark, screenshot or link copied from the address bar; from then on it lives
// only in this tab.
//
// It is kept in sessionStorage, not only in memory: the address no longer holds it, so without
// it a reload (or the browser restoring the tab) would lock the user out until they found the
// original link again. sessionStorage belongs to this tab and this origin alone and is gone when
// the tab closes; localStorage would hand the key to every later tab and keep it on disk for good.

const PARAM = 'access_token';
const STORAGE_KEY = 'brax-viewer.access-token';

function stored() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the key lives in memory for this load only
  }
}

function store(key) {
  try {
    if (key) sessionStorage.setItem(STORAGE_KEY, key);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: nothing to keep or forget
  }
}

/**
 * Reads the key from the address (and removes it there at once) or from this tab's storage.
 * An empty `?access_token=` forgets a stored key.
 * @returns {string | null}
 */
export function takeAccessKey() {
  const url = new URL(location.href);
  if (!url.searchParams.has(PARAM)) return stored();

  const key = url.searchParams.get(PARAM) || null;
  url.searchParams.delete(PARAM);
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
  store(key);
  return key;
}
