// The console's attention signals: a short beep made with WebAudio (no sound file) and a title flash
// that runs until the agent looks at the page again.
import { flashTitle } from './console-format.ts';

export class ConsoleAlert {
  sound = true;
  private audio: AudioContext | undefined;
  private flashTimer: ReturnType<typeof setInterval> | undefined;
  private baseTitle = '';

  constructor() {
    // Browsers start audio only after a user gesture: make the context on the first one.
    const unlock = () => {
      this.context()?.resume().catch(() => undefined);
    };
    addEventListener('pointerdown', unlock, { once: true, capture: true });
    addEventListener('keydown', unlock, { once: true, capture: true });
    addEventListener('focus', () => this.stopFlash());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && document.hasFocus()) this.stopFlash();
    });
  }

  private context(): AudioContext | undefined {
    if (this.audio) return this.audio;
    const Ctor = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return undefined;
    try {
      this.audio = new Ctor();
    } catch {
      return undefined;
    }
    return this.audio;
  }

  /** Two short rising tones. */
  beep(): void {
    if (!this.sound) return;
    const ctx = this.context();
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime;
    [660, 880].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = t0 + i * 0.16;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.14);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.15);
    });
  }

  /** Flashes `notice` in the tab title while the page is hidden or unfocused. */
  flash(notice: string): void {
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    this.stopFlash();
    this.baseTitle = document.title;
    let tick = 0;
    document.title = flashTitle(this.baseTitle, notice, tick);
    this.flashTimer = setInterval(() => {
      tick++;
      document.title = flashTitle(this.baseTitle, notice, tick);
    }, 1000);
  }

  stopFlash(): void {
    if (this.flashTimer === undefined) return;
    clearInterval(this.flashTimer);
    this.flashTimer = undefined;
    document.title = this.baseTitle;
  }

  get flashing(): boolean {
    return this.flashTimer !== undefined;
  }
}
