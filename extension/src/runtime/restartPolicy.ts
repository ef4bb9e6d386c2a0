// When to restart the runtime worker after it died on its own, and whether to tell the user.
// Pure (the clock is passed in) so the backoff is unit-tested without processes.
//
// A worker that dies once is restarted at once; one that keeps dying soon after starting (a broken
// addon, a driver that aborts in cuInit) is restarted with a doubling delay, and after a few tries
// no longer eagerly: the next request then starts a fresh one. A worker that stayed up for
// `stableAfterMs` resets the count.

export interface RestartPolicyOptions {
  /** Delay before the second consecutive restart; doubles after that. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A worker that ran this long before dying counts as a fresh series. */
  stableAfterMs: number;
  /** Consecutive quick deaths after which restarts wait for the next request. */
  maxEagerRestarts: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  stableAfterMs: 30_000,
  maxEagerRestarts: 5,
};

export interface RestartDecision {
  /** Milliseconds to wait before starting a new worker; undefined: wait for the next request. */
  delayMs?: number;
  /** Tell the user (the first death of a series, and the one where eager restarts stop). */
  notify: boolean;
  /** How many deaths in a row, counting this one. */
  consecutive: number;
}

export class RestartPolicy {
  private consecutive = 0;
  private startedAt = 0;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** A worker was started at `now`. */
  started(now: number): void {
    this.startedAt = now;
  }

  /** The worker died unexpectedly (crash, non-zero exit, timeout) at `now`. */
  died(now: number): RestartDecision {
    if (now - this.startedAt >= this.options.stableAfterMs) this.consecutive = 0;
    this.consecutive += 1;
    const n = this.consecutive;
    if (n > this.options.maxEagerRestarts) {
      return { notify: n === this.options.maxEagerRestarts + 1, consecutive: n };
    }
    const delayMs = n === 1 ? 0 : Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (n - 2));
    return { delayMs, notify: n === 1, consecutive: n };
  }

  /** A request was answered: the worker works, so the next death starts a fresh series. */
  answered(): void {
    this.consecutive = 0;
  }
}

/** "exit code 70", "signal SIGKILL" — how a process ended, for messages. */
export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `signal ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}
