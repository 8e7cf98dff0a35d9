// The addresses a blogger copies to join a conversation (pingback, webmention, TrackBack):
// each a read-only field that can be selected without JavaScript, with a copy button that
// /assets/palaver.js reveals and drives (no inline script: the CSP forbids it).
import { html, type SafeHtml } from './html.ts';
import type { Messages } from './i18n.ts';

export interface JoinFact {
  /** The field's id, unique on the page. */
  id: string;
  label: string;
  value: string;
}

/** Renders the addresses as a list of labelled read-only fields with (hidden until scripted) copy buttons. */
export function renderJoinFacts(facts: JoinFact[], t: Messages): SafeHtml {
  return html`<dl class="facts copyable">${facts.map(
    (f) => html`<dt><label for="${f.id}">${f.label}</label></dt><dd><input id="${f.id}" class="copy-source" type="text" readonly value="${f.value}" spellcheck="false"><button type="button" class="copy" data-copy="${f.id}" data-copied="${t.copied}" hidden>${t.copy}</button></dd>`,
  )}</dl>`;
}
