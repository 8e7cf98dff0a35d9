import { describe, expect, it } from 'vitest';
import { commentFeedWaitSeconds, commentGapWaitSeconds, computeNextCheck, parseCacheMaxAge, parseRetryAfter } from '../../src/poller/schedule.ts';

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

describe('commentFeedWaitSeconds', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
  const wait = (postHours: number, lastActivityHours: number | null = null) =>
    commentFeedWaitSeconds({ now, postAt: ago(postHours), lastActivityAt: lastActivityHours === null ? null : ago(lastActivityHours), intervalSeconds: 1800, maxQuietDays: 60 });

  it.each([
    [2, 1800],
    [30, 2 * 3600],
    [5 * 24, 6 * 3600],
    [20 * 24, 12 * 3600],
    [45 * 24, 24 * 3600],
  ])('waits longer as a post quiets down (%s h old → %s s)', (hours, seconds) => {
    expect(wait(hours)).toBe(seconds);
  });

  it('stops following a post quiet for longer than the setting', () => {
    expect(wait(61 * 24)).toBeNull();
  });

  it('counts a fresh comment on an old post as activity', () => {
    expect(wait(400 * 24, 2)).toBe(1800);
  });

  it('never checks more often than the poll interval', () => {
    expect(commentFeedWaitSeconds({ now, postAt: ago(1), lastActivityAt: null, intervalSeconds: 3 * 3600, maxQuietDays: 60 })).toBe(3 * 3600);
  });
});

describe('commentGapWaitSeconds', () => {
  it('retries after one interval, doubling while comments stay missing, then leaves it to the schedule', () => {
    const waits = [1, 2, 3, 4, 8, 9].map((gapPolls) => commentGapWaitSeconds({ intervalSeconds: 1800, gapPolls }));
    expect(waits).toEqual([1800, 3600, 7200, 14400, 230400, null]);
    expect(commentGapWaitSeconds({ intervalSeconds: 1800, gapPolls: 0 })).toBeNull();
  });
});
