// A blog's health, derived from its sources' poll state (never stored, so it cannot drift).

export type BlogStatus = 'pending' | 'active' | 'failing' | 'disabled';

export interface BlogHealth {
  status: BlogStatus;
  lastCheckedAt: string | null;
  lastSuccessAt: string | null;
  nextCheckAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
}

/** Derives a blog's status from its post feed(s): disabled, failing, pending or active. */
export function blogHealth(blog: Blog, sources: Source[]): BlogHealth {
  const feeds = sources.filter((s) => s.kind === 'feed');
  const relevant = feeds.length ? feeds : sources;
  const live = relevant.filter((s) => s.disabledAt === null);
  const newest = (pick: (s: Source) => string | null) =>
    relevant.map(pick).filter((v): v is string => v !== null).sort().at(-1) ?? null;
  const failing = live.find((s) => s.consecutiveFailures > 0);
  const stopped = relevant.find((s) => s.disabledAt !== null);
  let status: BlogStatus;
  if (blog.disabledAt !== null || (relevant.length > 0 && live.length === 0)) status = 'disabled';
  else if (failing) status = 'failing';
  else if (relevant.every((s) => s.lastSuccessAt === null)) status = 'pending';
  else status = 'active';
  const errorSource = failing ?? stopped ?? null;
  return {
    status,
    lastCheckedAt: newest((s) => s.lastCheckedAt),
    lastSuccessAt: newest((s) => s.lastSuccessAt),
    nextCheckAt: live.map((s) => s.nextCheckAt).sort()[0] ?? null,
    lastError: errorSource ? (errorSource.disabledReason ?? errorSource.lastError) : null,
    lastErrorAt: errorSource?.lastErrorAt ?? null,
    consecutiveFailures: Math.max(0, ...live.map((s) => s.consecutiveFailures)),
  };
}import type { Blog, Source } from '../domain/models.ts';

