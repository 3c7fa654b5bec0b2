// Reconnect delays: between half and all of a step that doubles from the minimum to the maximum,
// and starts over after a successful open.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../src/backoff.js';

test('delays double from the minimum up to the maximum, with jitter, and start over after reset', () => {
  const backoff = new Backoff({ min: 100, max: 1000 });
  const steps = [100, 200, 400, 800, 1000, 1000];
  for (const step of steps) {
    const delay = backoff.next();
    assert.ok(delay >= step / 2 && delay <= step, `${delay} lies in [${step / 2}, ${step}]`);
  }
  backoff.reset();
  const first = backoff.next();
  assert.ok(first >= 50 && first <= 100, `after reset: ${first}`);
});

test('the jitter spreads delays over the whole half-step', () => {
  const delays = new Set();
  for (let i = 0; i < 200; i += 1) delays.add(new Backoff({ min: 1000, max: 1000 }).next());
  assert.ok(delays.size > 50, `${delays.size} different delays out of 200`);
  assert.ok(Math.min(...delays) < 600 && Math.max(...delays) > 900);
});

test('a minimum above the maximum, or not above zero, is refused', () => {
  assert.throws(() => new Backoff({ min: 0, max: 10 }), RangeError);
  assert.throws(() => new Backoff({ min: 20, max: 10 }), RangeError);
});
