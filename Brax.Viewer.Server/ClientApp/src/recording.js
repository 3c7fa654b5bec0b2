// A run's recording as the server keeps it (GET /api/runs/{run}/recording: JSON Lines, one
// {"t": server Unix ms, "frame": {...}} a line, the run's last minute) and the backfill that puts
// the part from before the page joined in front of the page's own history.
import { packPoses } from './frame-history.js';

/**
 * Reads JSON Lines of {t, frame}; lines that are not such an object are skipped.
 * @param {string} text @returns {{t: number, frame: any, bytes: number}[]}
 */
export function parseRecording(text) {
  const lines = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.length === 0) continue;
    try {
      const entry = JSON.parse(line);
      if (Number.isFinite(entry?.t) && entry.frame && typeof entry.frame === 'object') lines.push({ t: entry.t, frame: entry.frame, bytes: line.length });
    } catch {
      // a torn or foreign line: the rest of the recording still plays
    }
  }
  return lines;
}

/**
 * The run's recording, or null when the server has none to give (an older server answers 404).
 * @param {import('../../../clients/js/src/index.js').Endpoints} endpoints
 */
export async function fetchRecording(endpoints) {
  const response = await fetch(`${endpoints.baseUrl}/api/runs/${encodeURIComponent(endpoints.runName)}/recording`, {
    cache: 'no-store',
    headers: endpoints.headers(),
  });
  if (!response.ok) return null;
  return parseRecording(await response.text());
}

/**
 * Packs recorded frames for FrameHistory.prepend: those before the page's oldest frame. The
 * recording's times are the server's clock, the history's the page's: where the page's oldest
 * frame is found in the recording, the clocks are lined up on it; otherwise they are taken as equal.
 * @param {{t: number, frame: any}[]} recording
 * @param {import('./frame-history.js').HistoryEntry | null} oldest
 * @param {(frame: any) => number | null} locate the first link a frame moves, null when it fits nowhere
 */
export function olderThan(recording, oldest, locate) {
  let end = recording.length;
  let offset = 0;
  if (oldest) {
    end = 0;
    for (let i = 0; i < recording.length; i += 1) {
      const packed = packedOf(recording[i].frame, locate);
      if (packed && packed.first === oldest.first && samePoses(packed.data, oldest.data)) {
        end = i;
        offset = oldest.t - recording[i].t;
        break;
      }
      if (recording[i].t < oldest.t) end = i + 1;
    }
  }
  const older = [];
  for (let i = 0; i < end; i += 1) {
    const packed = packedOf(recording[i].frame, locate);
    if (packed) older.push({ t: recording[i].t + offset, first: packed.first, data: packed.data, bytes: recording[i].bytes });
  }
  return older;
}

function packedOf(frame, locate) {
  const first = locate(frame);
  if (first === null) return null;
  return { first, data: packPoses(frame.x.pos, frame.x.rot) };
}

function samePoses(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  }
  return true;
}
