// How often one client may try to change groups (the form and the API alike): creating a group
// may make Palaver visit every blog of a list, and each attempt checks the admin token, so
// attempts are counted per client (IPv6 by /64) whether or not they succeed.
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from './deps.ts';
import { clientKey } from './client-key.ts';
import { createWindowLimiter } from './window-limiter.ts';

/** Attempts to change groups one client may make in an hour. */
export const groupChangesPerClientPerHour = 60;

export type GroupAdmission = { ok: true } | { ok: false; message: string; retryAfterSeconds: number };

const byApp = new WeakMap<AppDeps, { admit(request: FastifyRequest): GroupAdmission }>();

/** Returns the app's gate for group changes (one per app, shared by the form and the API). */
export function createGroupGate(deps: AppDeps): { admit(request: FastifyRequest): GroupAdmission } {
  const known = byApp.get(deps);
  if (known) return known;
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const limiter = createWindowLimiter({ limit: groupChangesPerClientPerHour, windowMs: 3600_000, now });
  const gate = {
    admit(request: FastifyRequest): GroupAdmission {
      const key = clientKey(request.ip);
      if (limiter.take(key)) return { ok: true };
      return { ok: false, message: 'Too many attempts to change groups from your address; try again later.', retryAfterSeconds: limiter.retryAfterSeconds(key) };
    },
  };
  byApp.set(deps, gate);
  return gate;
}
