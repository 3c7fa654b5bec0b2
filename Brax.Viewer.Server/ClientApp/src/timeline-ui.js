// The timeline's controls: play/pause, the scrub bar, the speed and "live", and the space bar.
// Real buttons and inputs with labels; only DOM here. The same markup serves the live page and
// the offline replay (which has no "live").
import { SPEEDS } from './timeline.js';

const $ = (id) => document.getElementById(id);

/** Elements whose own keyboard handling uses the space bar. */
function usesSpace(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'BUTTON' || tag === 'SELECT' || tag === 'TEXTAREA' || tag === 'A' || tag === 'SUMMARY') return true;
  return tag === 'INPUT' && /** @type {HTMLInputElement} */ (target).type !== 'range';
}

export class TimelineUi {
  /** @param {import('./timeline.js').Timeline} timeline */
  constructor(timeline) {
    this.timeline = timeline;
    this.playButton = $('timeline-play');
    this.scrub = /** @type {HTMLInputElement} */ ($('timeline-scrub'));
    this.speed = /** @type {HTMLSelectElement} */ ($('timeline-speed'));
    this.liveButton = $('timeline-live');
    this.time = $('timeline-time');

    this.speed.replaceChildren(...SPEEDS.map((s) => new Option(`${s}×`, String(s), s === 1, s === timeline.speed)));
    this.liveButton.hidden = !timeline.hasLive;

    this.playButton.addEventListener('click', () => timeline.toggle());
    this.liveButton.addEventListener('click', () => timeline.goLive());
    this.speed.addEventListener('change', () => timeline.setSpeed(Number(this.speed.value)));
    this.scrub.addEventListener('input', () => timeline.scrub(Number(this.scrub.value)));
    document.addEventListener('keydown', (event) => {
      if (event.key !== ' ' || event.repeat || event.ctrlKey || event.altKey || event.metaKey || usesSpace(event.target)) return;
      event.preventDefault();
      timeline.toggle();
    });
    // The bar's range grows with every frame; a few updates a second are enough for the eye.
    setInterval(() => this.refresh(), 200);
    this.refresh();
  }

  refresh() {
    const state = this.timeline.state;
    const live = state.mode === 'live';
    this.playButton.textContent = state.mode === 'paused' ? 'Play' : 'Pause';
    this.playButton.setAttribute('aria-label', state.mode === 'paused' ? 'Play (space)' : 'Pause (space)');
    this.liveButton.disabled = live;
    this.scrub.disabled = state.frames === 0;
    this.scrub.min = String(state.oldestSeq);
    this.scrub.max = String(Math.max(state.oldestSeq, state.newestSeq));
    // A user dragging the thumb owns it; the bar only follows the timeline otherwise.
    if (document.activeElement !== this.scrub || state.mode !== 'paused') this.scrub.value = String(live ? state.newestSeq : state.seq);
    if (this.timeline.hasLive) {
      this.time.textContent = live ? 'live' : `−${(Math.max(0, state.newestT - state.t) / 1000).toFixed(1)} s`;
    } else {
      this.time.textContent = `${(Math.max(0, state.t - state.oldestT) / 1000).toFixed(1)} / ${((state.newestT - state.oldestT) / 1000).toFixed(1)} s`;
    }
    this.time.dataset.mode = state.mode;
  }
}
