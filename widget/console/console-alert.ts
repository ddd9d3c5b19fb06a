// The console's attention signals: a short beep made with WebAudio (no sound file), the unread count in the
// page title, and a title flash that runs until the agent looks at the page again.
import { titleWithCount } from './console-attention.ts';
import { flashTitle } from './console-format.ts';

export class ConsoleAlert {
  sound = true;
  private audio: AudioContext | undefined;
  private flashTimer: ReturnType<typeof setInterval> | undefined;
  /** The page's own title, before any count or flash. */
  private readonly pageTitle = document.title;
  private unread = 0;

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

  /** The total of unread visitor messages, shown in front of the title ("(3) 客服工作台"); a flash keeps it. */
  showUnread(n: number): void {
    if (n === this.unread) return;
    this.unread = n;
    if (this.flashTimer === undefined) document.title = this.title();
  }

  private title(): string {
    return titleWithCount(this.pageTitle, this.unread);
  }

  /** Flashes `notice` in the tab title while the page is hidden or unfocused. */
  flash(notice: string): void {
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    this.stopFlash();
    let tick = 0;
    document.title = flashTitle(this.title(), notice, tick);
    this.flashTimer = setInterval(() => {
      tick++;
      document.title = flashTitle(this.title(), notice, tick);
    }, 1000);
  }

  stopFlash(): void {
    if (this.flashTimer === undefined) return;
    clearInterval(this.flashTimer);
    this.flashTimer = undefined;
    document.title = this.title();
  }

  get flashing(): boolean {
    return this.flashTimer !== undefined;
  }
}
