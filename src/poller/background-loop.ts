// The loop every background worker runs (poller, ping verifier, WebSub): one pass at a time,
// the next after a pause or at once when asked, and a wake during a pass is never lost.

export interface BackgroundLoop {
  start(): void;
  /** Stops the loop and waits for a running pass to finish. */
  stop(): Promise<void>;
  /** Runs a pass soon: now if idle, right after the current one otherwise. */
  wake(): void;
}

export interface BackgroundLoopOptions {
  /** Pause between passes. */
  intervalMs: number;
  /** One pass; returning true asks for the next pass at once (there is more to do). */
  pass(): Promise<boolean | void>;
  /** A pass that throws is reported here and the loop goes on. */
  onError(err: unknown): void;
}

/** Creates a loop; nothing runs until start(). */
export function createBackgroundLoop(options: BackgroundLoopOptions): BackgroundLoop {
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let wakeRequested = false;

  async function pass(): Promise<void> {
    timer = null;
    if (!running) return;
    let more = false;
    try {
      more = (await options.pass()) === true;
    } catch (err) {
      options.onError(err);
    }
    const again = more || wakeRequested;
    wakeRequested = false;
    if (running) timer = setTimeout(run, again ? 0 : options.intervalMs);
  }

  function run(): void {
    if (inFlight) return;
    inFlight = pass().finally(() => {
      inFlight = null;
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      run();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
    wake() {
      if (!running) return;
      if (inFlight) {
        wakeRequested = true;
        return;
      }
      if (timer) clearTimeout(timer);
      run();
    },
  };
}
