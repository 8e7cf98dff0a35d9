// Turns of the event loop for long CPU work (storing a big import's feeds): each waiter gets a
// turn of its own, with the network polled before the next one, so pages, feeds and pings are
// answered between any two slices of it. setImmediate alone would run every slice queued in
// one turn back to back.
const waiting: (() => void)[] = [];
let armed = false;

function next(): void {
  armed = false;
  waiting.shift()?.();
  if (waiting.length > 0) arm();
}

function arm(): void {
  if (armed) return;
  armed = true;
  setImmediate(next);
}

/** Resolves in a turn of the event loop that no other waiter of nextTurn() shares. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    arm();
  });
}

/**
 * Paces a long read (a big debate's shape, its map): the function it returns takes a turn of the
 * event loop once `sliceMs` have passed since the last one, so the read holds the loop a slice
 * at a time instead of for its whole length.
 */
export function pacedTurns(sliceMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await nextTurn();
    since = performance.now();
  };
}
