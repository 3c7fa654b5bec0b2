// What the client throws or reports: a refused key, and any other error answer of the HTTP API.

/** The server answered with an error status; `message` is the server's own reason when it gave one. */
export class BraxViewerHttpError extends Error {
  /** @param {number} status @param {string} url @param {string | null} serverMessage */
  constructor(status, url, serverMessage, message = `${status} from ${url}${serverMessage ? `: ${serverMessage}` : ''}`) {
    super(message);
    this.name = 'BraxViewerHttpError';
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.url = url;
    /** @type {string | null} */
    this.serverMessage = serverMessage;
  }
}

/**
 * The server refused the access key: 401 when none or a wrong one was sent, 403 when the key is
 * valid but does not allow this (a viewer key used to stream, toggle or upload a scene). No retry
 * can fix either.
 */
export class AccessDeniedError extends BraxViewerHttpError {
  /** @param {number} status 401 or 403 @param {string} url @param {string | null} [serverMessage] */
  constructor(status, url, serverMessage = null) {
    super(status, url, serverMessage, describe(status, url, serverMessage));
    this.name = 'AccessDeniedError';
  }
}

/** Whether an HTTP status means the key is missing, wrong or not enough. @param {number} status */
export function isRefusal(status) {
  return status === 401 || status === 403;
}

/** @param {number} status @param {string} url @param {string | null} serverMessage */
function describe(status, url, serverMessage) {
  const said = serverMessage ? ` The server said: ${serverMessage}.` : '';
  const where = url.replace(/([?&]access_token=)[^&]*/, '$1…');
  if (status === 401) {
    return `401 Unauthorized from ${where}: the server needs an access key, and none or a wrong one was sent.${said} Pass accessKey.`;
  }
  return `403 Forbidden from ${where}: the access key is valid but does not allow this; streaming, toggling rendering `
    + `and uploading scenes need the streamer key.${said}`;
}
