/**
 * Progress on a terminal for big inputs: bytes done of the total, MB/s and the time left.
 * It redraws one line at most ten times a second and erases it when done, so the report that
 * follows on stdout (or the terminal prompt) is not disturbed.
 */
import type { WriteStream } from 'node:tty';

export interface ProgressOptions {
  /** Bytes of all inputs, when known (files); undefined for stdin. */
  total: number | undefined;
  /** Where to draw: only a terminal is drawn on. */
  stream: NodeJS.WriteStream | WriteStream;
  /** Inputs smaller than this finish too fast to need progress. */
  minBytes?: number;
  now?: () => number;
}

const MB = 1024 * 1024;

export class Progress {
  private done = 0;
  private shown = false;
  private last = 0;
  private readonly start: number;
  private readonly now: () => number;
  private readonly minBytes: number;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
    this.minBytes = opts.minBytes ?? 4 * MB;
  }

  /** Whether anything will ever be drawn: a terminal, and an input that is big or of unknown size. */
  get active(): boolean {
    return Boolean(this.opts.stream.isTTY) && (this.opts.total === undefined || this.opts.total >= this.minBytes);
  }

  add(bytes: number): void {
    this.done += bytes;
    if (!this.active || this.done < this.minBytes) return;
    const t = this.now();
    if (this.shown && t - this.last < 100) return;
    this.last = t;
    this.shown = true;
    this.opts.stream.write(`\r${this.line(t)}\x1b[K`);
  }

  /** Erases the line. */
  end(): void {
    if (this.shown) this.opts.stream.write('\r\x1b[K');
    this.shown = false;
  }

  line(t = this.now()): string {
    const secs = Math.max((t - this.start) / 1000, 0.001);
    const rate = this.done / MB / secs;
    const total = this.opts.total;
    const head = `wsclose: ${(this.done / MB).toFixed(1)}${total ? ` of ${(total / MB).toFixed(1)}` : ''} MB`;
    if (!total) return `${head}, ${rate.toFixed(1)} MB/s`;
    const left = Math.max(0, total - this.done) / MB / Math.max(rate, 0.001);
    return `${head} (${Math.min(100, Math.floor((this.done / total) * 100))}%), ${rate.toFixed(1)} MB/s, ETA ${clock(left)}`;
  }
}

function clock(secs: number): string {
  const s = Math.ceil(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s % 60).padStart(2, '0')}`;
}
