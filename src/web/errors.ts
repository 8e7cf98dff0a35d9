// The one error handler: JSON `{error: {code, message}}` for the API, an HTML page otherwise;
// the message is shown only for client errors, never internals of a 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderErrorPage } from '../views/error-page.ts';
import { pickLocale } from '../views/i18n.ts';

/** The Retry-After of a 503 for a passing load (a busy or closing tally or search thread): its waiting reads are done within seconds, and a restart is as quick. */
export const retryBusySeconds = 5;

/** An error a route throws on purpose, with the status and code the client sees. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Sent as Retry-After (RFC 9110 §10.2.3): when a 503 for a passing load is worth asking again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/health' || request.url.startsWith('/webmention');
}

function send(request: FastifyRequest, reply: FastifyReply, statusCode: number, code: string, message: string): FastifyReply {
  reply.status(statusCode);
  if (wantsJson(request)) return reply.type('application/json; charset=utf-8').send({ error: { code, message } });
  const locale = pickLocale({ query: (request.query as Record<string, unknown> | undefined)?.lang, cookie: request.headers.cookie, acceptLanguage: request.headers['accept-language'] });
  reply.header('vary', 'Accept-Language, Cookie');
  return reply.type('text/html; charset=utf-8').send(renderErrorPage(statusCode, message, locale));
}

/** Installs the error and not-found handlers on the app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return send(request, reply, err.statusCode, err.code, err.message);
    }
    const statusCode = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (statusCode >= 500) {
      request.log.error({ err, url: request.url }, 'request failed');
      return send(request, reply, statusCode, 'internal', 'Palaver hit an internal error. It has been logged.');
    }
    // Fastify's own client errors (bad JSON, body too large, validation) keep their message.
    const code = err.validation ? 'invalid-request' : (err.code ?? 'bad-request').toLowerCase().replace(/^fst_err_/, '').replace(/_/g, '-');
    return send(request, reply, statusCode, code, err.message);
  });
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, 404, 'not-found', `There is no page at ${request.url.split('?')[0]}.`),
  );
}
