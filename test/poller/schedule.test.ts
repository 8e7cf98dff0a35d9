import { describe, expect, it } from 'vitest';
import { computeNextCheck, parseCacheMaxAge, parseRetryAfter } from '../../src/poller/schedule.ts';

const now = new Date('2026-01-10T12:00:00Z');
const base = { now, intervalSeconds: 1800, maxIntervalSeconds: 86400, consecutiveFailures: 0, maxBackoffSeconds: 86400 };
const secondsUntil = (d: Date) => (d.getTime() - now.getTime()) / 1000;

describe('computeNextCheck', () => {
  it('waits the configured interval after a success', () => {
    expect(secondsUntil(computeNextCheck(base))).toBe(1800);
  });

  it('lets a feed hint lengthen the wait but not shorten it', () => {
    expect(secondsUntil(computeNextCheck({ ...base, hintSeconds: 3600 }))).toBe(3600);
    expect(secondsUntil(computeNextCheck({ ...base, hintSeconds: 60 }))).toBe(1800);
  });

  it('caps a hint at the longest interval', () => {
    expect(secondsUntil(computeNextCheck({ ...base, hintSeconds: 30 * 86400 }))).toBe(86400);
  });

  it('backs off exponentially after failures, up to the cap', () => {
    const waits = [1, 2, 3, 4, 10].map((n) => secondsUntil(computeNextCheck({ ...base, consecutiveFailures: n })));
    expect(waits).toEqual([1800, 3600, 7200, 14400, 86400]);
  });

  it('never comes back before Retry-After', () => {
    expect(secondsUntil(computeNextCheck({ ...base, consecutiveFailures: 1, retryAfterSeconds: 7200 }))).toBe(7200);
  });

  it('does not wait more than a week for a Retry-After', () => {
    expect(secondsUntil(computeNextCheck({ ...base, consecutiveFailures: 1, retryAfterSeconds: 10 ** 9 }))).toBe(7 * 86400);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
  });
  it('reads an HTTP-date', () => {
    expect(parseRetryAfter('Sat, 10 Jan 2026 13:00:00 GMT', now)).toBe(3600);
  });
  it('returns null for garbage', () => {
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('parseCacheMaxAge', () => {
  it('reads max-age and s-maxage', () => {
    expect(parseCacheMaxAge('public, max-age=600')).toBe(600);
    expect(parseCacheMaxAge('max-age=60, s-maxage=900')).toBe(900);
  });
  it('ignores no-cache and no-store', () => {
    expect(parseCacheMaxAge('no-cache, max-age=600')).toBeNull();
  });
});
