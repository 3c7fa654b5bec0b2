// Types of brax-viewer-client. The sources (src/*.js) carry the same types as JSDoc;
// test/package.test.js holds this file's exports to the module's.

/** The states a socket goes through. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'retrying' | 'refused' | 'closed';

export type ConnectionName = 'frame' | 'control';

/** A frame: `x.pos` ([[x, y, z], …]) and `x.rot` ([[w, x, y, z], …]), one entry per body; other members pass through. */
export interface Frame {
  x: { pos: number[][]; rot: number[][]; [member: string]: unknown };
  env_id?: number;
  [member: string]: unknown;
}

export interface FrameMeta {
  /** The frame's `env_id`, null without one. */
  envId: number | null;
  /** The frame as the streamer sent it. */
  text: string;
}

export interface SceneInfo {
  loaded: boolean;
  run: string;
  tag?: string;
  links?: number;
  num_envs?: number | null;
  links_per_env?: number | null;
  bytes?: number;
}

export interface HttpOptions {
  /** http://, https://, ws:// or wss:// (default: the page's origin, or http://127.0.0.1:8000). */
  url?: string;
  /** 1 to 64 of A-Z a-z 0-9 _ - . (default: the server's `default`). */
  run?: string | null;
  /** Sent as Authorization: Bearer on HTTP, ?access_token= on sockets. */
  accessKey?: string | null;
  fetch?: typeof globalThis.fetch;
}

export interface ClientOptions extends HttpOptions {
  /** What the frame stream does (default: viewer). */
  role?: 'viewer' | 'streamer';
  /** Open /ws/frame (default: true). */
  frames?: boolean;
  /** Open /ws/control (default: true). */
  control?: boolean;
  /** A WebSocket class: default the global one (browsers, Node 22 and later); on Node 20 the `ws` package's. */
  WebSocket?: unknown;
  /** Milliseconds between reconnects, doubling with jitter (default 250 to 5000). */
  reconnectDelay?: { min?: number; max?: number };
  /** A streamer holds frames while its socket has more than this many bytes waiting (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Environments whose newest frame may wait at once (default 4096). */
  maxPendingEnvs?: number;
}

export interface ClientStats {
  received: number;
  delivered: number;
  skipped: number;
  pending: number;
  invalid: number;
  sent: number;
  held: number;
  replaced: number;
  opens: { frame: number; control: number };
}

export interface ClientEvents {
  /** A viewer's newest frame of an environment; return a promise to be given the next one only once it settles. */
  frame: (frame: Frame, meta: FrameMeta) => unknown;
  /** Every frame a viewer receives, as it arrives, none skipped (for recording a run); keep it short. */
  received: (frame: Frame, meta: FrameMeta) => void;
  'render-state': (enabled: boolean) => void;
  'viewer-count': (count: number) => void;
  refresh: () => void;
  open: (event: { connection: ConnectionName }) => void;
  status: (event: { connection: ConnectionName; state: ConnectionState; retryInMs?: number }) => void;
  'access-denied': (error: AccessDeniedError) => void;
  error: (error: unknown) => void;
}

export class BraxViewerClient {
  constructor(options?: ClientOptions);
  readonly role: 'viewer' | 'streamer';
  /** The server's http(s) address. */
  readonly url: string;
  /** The run's name. */
  readonly run: string;
  /** As the server last said; true until told otherwise. */
  readonly renderingEnabled: boolean;
  /** Viewers of the run as the server last said; null until it does. */
  readonly viewerCount: number | null;
  /** Set when the server refused the key; the client has then stopped. */
  readonly accessDenied: AccessDeniedError | null;
  readonly connections: { frame: ConnectionState; control: ConnectionState };
  readonly stats: ClientStats;
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void;
  start(): this;
  ready(): Promise<void>;
  /** Streamers: true when written to the socket now, false when it waits (newest of its environment wins). */
  send(frame: Frame | string): boolean;
  /** Whether the toggle was sent (false while the control socket is not open). */
  toggle(enabled: boolean): boolean;
  getSceneInfo(): Promise<SceneInfo>;
  getScene(): Promise<{ info: SceneInfo; system: any } | null>;
  putScene(scene: unknown, options?: { numEnvs?: number }): Promise<void>;
  close(): Promise<void>;
}

/** Creates a client and starts it. */
export function connect(options?: ClientOptions): BraxViewerClient;

export class Endpoints {
  constructor(options?: { url?: string; run?: string | null; accessKey?: string | null });
  readonly baseUrl: string;
  readonly run: string | null;
  readonly accessKey: string | null;
  readonly runName: string;
  http(path: string, query?: Record<string, string | number | undefined>): string;
  socket(path: string, options?: { streamer?: boolean }): string;
  headers(): Record<string, string>;
}

export class BraxViewerHttpError extends Error {
  readonly status: number;
  readonly url: string;
  /** The server's own reason, from its JSON error body. */
  readonly serverMessage: string | null;
}

/** 401: no key or a wrong one; 403: a valid key that does not allow this. */
export class AccessDeniedError extends BraxViewerHttpError {}

export function getSceneInfo(options?: HttpOptions): Promise<SceneInfo>;
export function getScene(options?: HttpOptions): Promise<{ info: SceneInfo; system: any } | null>;
export function putScene(scene: unknown, options?: HttpOptions & { numEnvs?: number }): Promise<void>;
