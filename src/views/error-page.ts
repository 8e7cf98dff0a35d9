// Error pages (404, 500, other refusals) in the site's look, never with internals.
import { html } from './html.ts';
import { renderLayout } from './layout.ts';

/** Renders an error page for a status code and a message meant for the reader. */
export function renderErrorPage(statusCode: number, message: string): string {
  const title = statusCode === 404 ? 'Not found' : statusCode >= 500 ? 'Something went wrong' : 'Request not possible';
  return renderLayout({
    title: `${title} – Palaver`,
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the conversations</a></p>`,
  });
}
