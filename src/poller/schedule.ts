// When to check a source next: the configured interval, lengthened by the feed's own hints,
// backed off exponentially after failures and never earlier than a server's Retry-After.
// Pure functions, so the policy is testable and shared by every poller.

export interface NextCheckInput {
  now: Date;
  /** POLL_INTERVAL_SECONDS: the normal wait between two checks. */
  intervalSeconds: number;
  /** Hints never stretch the wait beyond this. */
  maxIntervalSeconds: number;
  /** ttl, sy:updatePeriod or Cache-Control max-age; may lengthen the wait, never shorten it. */
  hintSeconds?: number | null;
  /** Consecutive failures including this poll; 0 after a success. */
  consecutiveFailures: number;
  maxBackoffSeconds: number;
  /** From a 429 or 503 answer: do not come back before this. */
  retryAfterSeconds?: number | null;
}

// A server may ask for a pause, but a week is the most Palaver waits for one answer.
const maxRetryAfterSeconds = 7 * 24 * 3600;

/** Computes when a source is next due after a poll. */
export function computeNextCheck(input: NextCheckInput): Date {
  const interval = Math.max(1, input.intervalSeconds);
  let wait: number;
  if (input.consecutiveFailures <= 0) {
    const hint = input.hintSeconds && input.hintSeconds > 0 ? Math.min(input.hintSeconds, input.maxIntervalSeconds) : 0;
    wait = Math.max(interval, hint);
  } else {
    const exponent = Math.min(input.consecutiveFailures - 1, 30);
    wait = Math.min(interval * 2 ** exponent, Math.max(input.maxBackoffSeconds, interval));
  }
  if (input.retryAfterSeconds && input.retryAfterSeconds > 0) {
    wait = Math.max(wait, Math.min(input.retryAfterSeconds, maxRetryAfterSeconds));
  }
  return new Date(input.now.getTime() + wait * 1000);
}

/**
 * Schedules the next check of a source whose poll failed: backoff doubling with the failures in
 * a row (Retry-After when the server gave one), and the reason to stop once there are too many.
 */
export function scheduleAfterFailure(input: {
  now: Date;
  /** Failures in a row before this one. */
  consecutiveFailures: number;
  settings: { pollIntervalSeconds: number; maxIntervalSeconds: number; maxBackoffSeconds: number; disableAfterFailures: number };
  retryAfterSeconds: number | null;
  error: string;
}): { failures: number; nextCheckAt: string; stopReason: string | undefined } {
  const s = input.settings;
  const failures = input.consecutiveFailures + 1;
  const nextCheckAt = computeNextCheck({
    now: input.now,
    intervalSeconds: s.pollIntervalSeconds,
    maxIntervalSeconds: s.maxIntervalSeconds,
    consecutiveFailures: failures,
    maxBackoffSeconds: s.maxBackoffSeconds,
    retryAfterSeconds: input.retryAfterSeconds,
  }).toISOString();
  const stopReason = failures >= s.disableAfterFailures ? `stopped after ${failures} failed checks in a row; the last: ${input.error}` : undefined;
  return { failures, nextCheckAt, stopReason };
}

/** Parses Retry-After (delta-seconds or an HTTP-date, RFC 9110 §10.2.3) into seconds from now. */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Reads max-age (or s-maxage) from Cache-Control; null when absent or when caching is refused. */
export function parseCacheMaxAge(value: string | undefined | null): number | null {
  if (!value) return null;
  const directives = value.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return null;
  let best: number | null = null;
  for (const d of directives) {
    const m = /^(s-maxage|max-age)\s*=\s*"?(\d+)"?$/.exec(d);
    if (m) best = Math.max(best ?? 0, Number(m[2]));
  }
  return best;
}

export interface CommentFeedScheduleInput {
  now: Date;
  /** When the post was published (or first seen). */
  postAt: string;
  /** The newest comment, or when new comments were last seen; null before any. */
  lastActivityAt: string | null;
  /** POLL_INTERVAL_SECONDS: a young post's comment feed is checked as often as post feeds. */
  intervalSeconds: number;
  /** After this many quiet days the comment feed is no longer checked until the post stirs. */
  maxQuietDays: number;
}

// The wait grows with quiet: a post's comments come mostly in its first days.
const commentFeedSteps: { quietDays: number; waitSeconds: number }[] = [
  { quietDays: 1, waitSeconds: 0 },
  { quietDays: 3, waitSeconds: 2 * 3600 },
  { quietDays: 7, waitSeconds: 6 * 3600 },
  { quietDays: 30, waitSeconds: 12 * 3600 },
];

/**
 * Computes how long to wait before checking a post's comment feed again: as often as post
 * feeds while the post or its newest comment is a day old, down to daily after a month, and
 * null (stop) once it has been quiet longer than maxQuietDays.
 */
export function commentFeedWaitSeconds(input: CommentFeedScheduleInput): number | null {
  const newest = Math.max(Date.parse(input.postAt) || 0, input.lastActivityAt ? Date.parse(input.lastActivityAt) || 0 : 0);
  const quietDays = Math.max(0, (input.now.getTime() - newest) / 86_400_000);
  if (quietDays >= input.maxQuietDays) return null;
  const step = commentFeedSteps.find((s) => quietDays < s.quietDays);
  return Math.max(input.intervalSeconds, step ? step.waitSeconds : 24 * 3600);
}

export interface CommentGapScheduleInput {
  /** POLL_INTERVAL_SECONDS: the first retry comes after one interval. */
  intervalSeconds: number;
  /** Checks in a row (this one included) that ended with comments still missing. */
  gapPolls: number;
}

// A gap that does not close after this many retries is left to the usual schedule.
const maxGapRetries = 8;

/**
 * Computes how soon to check a post's comments again while some are missing: one poll interval,
 * doubling with each check that leaves them missing (30 min, 1 h, 2 h … with the default), and
 * null once retrying has not helped maxGapRetries times.
 */
export function commentGapWaitSeconds(input: CommentGapScheduleInput): number | null {
  if (input.gapPolls < 1 || input.gapPolls > maxGapRetries) return null;
  return Math.max(1, input.intervalSeconds) * 2 ** (input.gapPolls - 1);
}
