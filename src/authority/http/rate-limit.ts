/** Requests allowed per key in each window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * Fixed-window counter per key, in this process's memory (each authority instance counts
 * on its own). `take` answers how long to wait when the window is full.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly rule: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Counts one request; `null` when allowed, otherwise seconds until the window resets. */
  take(key: string): number | null {
    const now = this.now();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.rule.windowMs) {
      if (this.#windows.size >= 10_000) this.#sweep(now); // Bounded memory under many keys.
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    if (w.count >= this.rule.limit) return Math.max(1, Math.ceil((w.start + this.rule.windowMs - now) / 1000));
    w.count++;
    return null;
  }

  #sweep(now: number): void {
    for (const [key, w] of this.#windows) if (now - w.start >= this.rule.windowMs) this.#windows.delete(key);
  }
}
