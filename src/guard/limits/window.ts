// The uses of one limit, as a sliding window: settled uses in time order with a running sum,
// so counting a call costs what leaves the window, not what is in it.

/**
 * One counting limit's uses. A use has a time, or none (NaN): a call still running, or an entry
 * whose time is unreadable; such a use counts in every window. A lifetime limit (`ms` Infinity)
 * keeps only sums. An amount may be Infinity (a budget use of unknown size): it spends the budget.
 */
export class UseWindow {
  private readonly times: number[] = [];
  private readonly amounts: number[] = [];
  private head = 0;
  private sum = 0;
  private infinite = 0;
  private pending = 0;

  /** `ms`: the window's length (Infinity for a lifetime limit). */
  constructor(readonly ms: number) {}

  /** Counts a use at `at` (Unix ms), or in every window (NaN). */
  add(at: number, amount: number): void {
    if (Number.isNaN(at)) {
      this.pending += amount;
      return;
    }
    if (amount === Infinity) this.infinite++;
    else this.sum += amount;
    if (this.ms === Infinity) return;
    // Entries are written in time order, so this is almost always an append.
    let i = this.times.length;
    while (i > this.head && this.times[i - 1]! > at) i--;
    this.times.splice(i, 0, at);
    this.amounts.splice(i, 0, amount);
  }

  /** Gives a use counted in every window its time. */
  settle(amount: number, at: number): void {
    this.pending -= amount;
    this.add(at, amount);
  }

  /** Takes back a use counted in every window (its call never ran). */
  release(amount: number): void {
    this.pending -= amount;
  }

  /** The use counted at `at`: the window `(at - ms, at]` plus the timeless uses. */
  used(at: number): number {
    const edge = at - this.ms;
    while (this.head < this.times.length && this.times[this.head]! <= edge) {
      const amount = this.amounts[this.head++]!;
      if (amount === Infinity) this.infinite--;
      else this.sum -= amount;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.amounts.splice(0, this.head);
      this.head = 0;
    }
    return (this.infinite > 0 ? Infinity : this.sum) + this.pending;
  }

  /** When enough timed uses leave the window for `need` more within `max`; null if none ever will. */
  freesAt(at: number, need: number, max: number): number | null {
    if (this.ms === Infinity || need > max) return null;
    let left = this.used(at);
    for (let i = this.head; i < this.times.length; i++) {
      left -= this.amounts[i]!;
      if (left + need <= max) return this.times[i]! + this.ms;
    }
    return null;
  }

  /** When the oldest timed use leaves the window, or null. */
  oldest(): number | null {
    return this.ms === Infinity || this.head >= this.times.length ? null : this.times[this.head]! + this.ms;
  }
}
