import { describe, expect, it } from 'vitest';
import { nextTurn, pacedTurns } from '../src/event-loop-turns.ts';

describe('nextTurn', () => {
  it('gives each waiter a turn of its own: what the event loop queued meanwhile runs between them', async () => {
    const order: string[] = [];
    const turns = [1, 2, 3].map((n) => nextTurn().then(() => void order.push(`turn ${n}`)));
    setImmediate(() => order.push('other work'));
    await Promise.all(turns);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['turn 1', 'other work', 'turn 2', 'turn 3']);
  });

  it('lets a timer that fell due run between two waiters', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    // Long enough for the timer to be due by the next turn.
    const until = performance.now() + 5;
    while (performance.now() < until);
    await Promise.all([nextTurn().then(() => void order.push('turn 1')), nextTurn().then(() => void order.push('turn 2'))]);
    expect(order.indexOf('timer')).toBeLessThan(order.indexOf('turn 2'));
  });
});

describe('pacedTurns', () => {
  it('takes a turn once its slice has passed, and none before', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const never = pacedTurns(60_000);
    await never();
    await never();
    order.push('within the slice');
    const always = pacedTurns(0);
    await always();
    order.push('after a turn');
    expect(order).toEqual(['within the slice', 'other work', 'after a turn']);
  });
});
