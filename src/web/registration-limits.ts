// Who may register a blog over the web, and how often: the operator (admin token or session)
// always; a stranger as registry.moderation says (shown at once, held for a moderator, or
// refused), at most registry.perClientPerHour times per client (IPv6 by /64) and
// registry.perHostPerHour times per host of the blog being registered.
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from './deps.ts';
import { adminAccessFor } from './admin-access.ts';
import { clientKey } from './client-key.ts';
import { inMemoryRateLimits } from './window-limiter.ts';
import type { BlogApproval } from '../domain/vocabulary.ts';

export type RegistrationAdmission =
  | { ok: true; approval: Exclude<BlogApproval, 'rejected'> }
  | { ok: false; status: 403 | 429; code: 'registration-closed' | 'rate-limited'; message: string; retryAfterSeconds?: number };

const hour = 3600_000;

function hostOfInput(input: string): string | null {
  const trimmed = input.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`).hostname.toLowerCase().replace(/^www\./, '') || null;
  } catch {
    return null;
  }
}

/** Creates the registration gate of an app. */
export function createRegistrationGate(deps: AppDeps) {
  const settings = deps.config.registry;
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const limits = deps.rateLimits ?? inMemoryRateLimits;
  const perClient = limits('registrations-per-client', { limit: settings.perClientPerHour, windowMs: hour, now });
  const perHost = limits('registrations-per-host', { limit: settings.perHostPerHour, windowMs: hour, now });
  const admin = adminAccessFor(deps);

  return {
    /** Decides whether this request may register `input` now, and whether the blog shows at once. */
    async admit(request: FastifyRequest, input: string): Promise<RegistrationAdmission> {
      if (admin.isAdmin(request)) return { ok: true, approval: 'approved' };
      if (settings.moderation === 'closed') {
        return { ok: false, status: 403, code: 'registration-closed', message: 'Palaver does not take registrations here; ask its operator to add the blog.' };
      }
      const client = clientKey(request.ip);
      if (!(await perClient.take(client))) {
        return { ok: false, status: 429, code: 'rate-limited', message: 'Too many registrations from your address; try again later.', retryAfterSeconds: await perClient.retryAfterSeconds(client) };
      }
      const host = hostOfInput(input);
      if (host && !(await perHost.take(host))) {
        return { ok: false, status: 429, code: 'rate-limited', message: `Too many registrations of blogs on ${host}; try again later.`, retryAfterSeconds: await perHost.retryAfterSeconds(host) };
      }
      return { ok: true, approval: settings.moderation === 'moderate' ? 'pending' : 'approved' };
    },
  };
}
