import { describe, expect, it } from 'vitest';
import type { ImportLine, ImportReport } from '../../src/registry/import-opml.ts';
import { renderOpmlImport, shownReportLines } from '../../src/views/opml-import.ts';

const failed = (i: number): ImportLine => ({ title: `outline at line ${i}`, url: null, outcome: 'failed', blogId: null, blogTitle: null, reason: 'outline has neither xmlUrl nor htmlUrl' });

describe('the import report', () => {
  it('lists every registered blog and the first outlines it could not use, counting the rest', () => {
    const registered: ImportLine[] = [{ title: 'Blog A', url: 'https://a.example/feed/', outcome: 'registered', blogId: 7, blogTitle: 'A', reason: null }];
    const lines = [...registered, ...Array.from({ length: 1200 }, (_, i) => failed(i + 1))];
    const report: ImportReport = { listTitle: 'Teilnehmer', lines, registered: 1, known: 0, failed: 1200, duplicates: 0 };
    const page = renderOpmlImport({ report, csrf: 'c', adminEnabled: true, maxEntries: 200 });
    expect(page).toContain('1 registered, 0 already there, 1200 failed, 0 duplicates skipped.');
    expect(page).toContain('<a href="/blogs/7">A</a>');
    const listed = page.match(/<li class="import-/g) ?? [];
    expect(listed).toHaveLength(shownReportLines);
    expect(page).toContain('… and 701 more, not listed here.');
    expect(page).toContain(`outline at line ${shownReportLines}:`);
    expect(page).not.toContain(`outline at line ${shownReportLines + 1}:`);
    expect(page).toContain('… and 700 more, not listed here.');
  });

  it('lists a short report whole', () => {
    const report: ImportReport = { listTitle: null, lines: [failed(1), failed(2)], registered: 0, known: 0, failed: 2, duplicates: 0 };
    const page = renderOpmlImport({ report, csrf: 'c', adminEnabled: true, maxEntries: 200 });
    expect(page.match(/<li class="import-/g)).toHaveLength(2);
    expect(page).not.toContain('not listed here');
  });
});
