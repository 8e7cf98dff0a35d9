// Escape-by-default HTML templates: every interpolated value is escaped unless it is already
// SafeHtml. Foreign HTML becomes SafeHtml only through trustedHtml(), for sanitizer output.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => escapes[c]!);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Builds HTML from a template literal, escaping every interpolated value. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks HTML that went through the ingest sanitizer as safe to emit unescaped. */
export function trustedHtml(sanitized: string | null | undefined): SafeHtml {
  return new SafeHtml(sanitized ?? '');
}
