/**
 * A tool call's time budget. better-sqlite3 is synchronous, so a running query cannot be
 * interrupted: tools bound each query's size up front (limits, row caps, window narrowing) and check
 * the budget between steps, returning what they have, labelled partial, once it is spent.
 */
export class TimeBudget {
  private readonly started = performance.now();
  constructor(readonly totalMs: number) {}

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  exceeded(): boolean {
    return this.elapsedMs() >= this.totalMs;
  }
}
