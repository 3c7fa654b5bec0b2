// brax-viewer-client: the raw WebSocket protocol of Brax Viewer Hub for browsers and Node.
export { BraxViewerClient, connect } from './client.js';
export { Endpoints } from './endpoints.js';
export { AccessDeniedError, BraxViewerHttpError } from './errors.js';
export { getScene, getSceneInfo, putScene } from './scenes.js';
