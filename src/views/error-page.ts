// Error pages (404, 500, other refusals) in the site's look, never with internals.
import { html } from './html.ts';
import { messagesFor, type Locale } from './i18n.ts';
import { renderLayout } from './layout.ts';

/**
 * Renders an error page for a status code. `message` (English, from the route) is shown only
 * for client errors other than 404, where the localized explanation says it all.
 */
export function renderErrorPage(statusCode: number, message: string, locale: Locale = 'en'): string {
  const t = messagesFor(locale);
  const title = statusCode === 404 ? t.errorNotFound : statusCode >= 500 ? t.errorServer : t.errorOther;
  const text = statusCode === 404 ? t.errorNotFoundText : statusCode >= 500 ? t.errorServerText : message;
  return renderLayout({
    title: `${title} – Palaver`,
    locale,
    body: html`<div class="error-page"><p class="status-code">${statusCode}</p><h1>${title}</h1><p>${text}</p>${statusCode === 404 && locale === 'en' ? html`<p class="detail"><small>${message}</small></p>` : ''}<p><a href="/">${t.backHome}</a></p></div>`,
  });
}
