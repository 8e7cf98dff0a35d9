// The one error handler: the status, code and message a route's HttpError names, as JSON for the
// API and HTML otherwise, with Retry-After when the error says when to come back; no internals of a 5xx.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { HttpError, installErrorHandlers } from '../../src/web/errors.ts';

const app = Fastify();
installErrorHandlers(app);
app.get('/api/busy', async () => {
  throw new HttpError(503, 'busy', 'Too many pages are being counted; try again in a moment.', 5);
});
app.get('/busy', async () => {
  throw new HttpError(503, 'busy', 'Too many pages are being counted; try again in a moment.', 5);
});
app.get('/api/missing', async () => {
  throw new HttpError(404, 'not-found', 'There is no such blog.');
});
app.get('/api/broken', async () => {
  throw new Error('SQLITE_CORRUPT at page 7');
});

describe('installErrorHandlers', () => {
  it('sends Retry-After with a 503 that says when to come back, as JSON and as a page', async () => {
    const api = await app.inject('/api/busy');
    expect([api.statusCode, api.headers['retry-after'], api.json()]).toEqual([503, '5', { error: { code: 'busy', message: 'Too many pages are being counted; try again in a moment.' } }]);
    const page = await app.inject('/busy');
    expect([page.statusCode, page.headers['retry-after']]).toEqual([503, '5']);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('sends no Retry-After for an error that does not name one, and hides what failed inside', async () => {
    const missing = await app.inject('/api/missing');
    expect([missing.statusCode, missing.headers['retry-after'], missing.json().error.code]).toEqual([404, undefined, 'not-found']);
    const broken = await app.inject('/api/broken');
    expect(broken.statusCode).toBe(500);
    expect(broken.body).not.toContain('SQLITE_CORRUPT');
  });
});
