// Debounced, cancellable background jobs: a new request for the same key cancels the pending or
// running one (its AbortSignal fires), then runs after `delayMs` of quiet.

export type Job = (signal: AbortSignal) => Promise<void>;

export class DebouncedRunner {
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; controller: AbortController }>();
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly delayMs: number,
    private readonly onError: (key: string, error: unknown) => void = () => {},
  ) {}

  /** Schedules `job` for `key`, cancelling what was pending or running for any key (one compile at a time). */
  schedule(key: string, job: Job): void {
    this.cancelAll();
    const controller = new AbortController();
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.running.set(key, controller);
      job(controller.signal)
        .catch((e) => {
          if (!controller.signal.aborted) this.onError(key, e);
        })
        .finally(() => {
          if (this.running.get(key) === controller) this.running.delete(key);
        });
    }, this.delayMs);
    this.pending.set(key, { timer, controller });
  }

  cancelAll(): void {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.controller.abort();
    }
    this.pending.clear();
    for (const [, c] of this.running) c.abort();
    this.running.clear();
  }

  get busy(): boolean {
    return this.pending.size > 0 || this.running.size > 0;
  }
}
