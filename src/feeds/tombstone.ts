// What a writer shows for an item whose original is gone: the item keeps its id, link, dates
// and threading (replies to it still need a parent), but its words are replaced by a note.

import type { OutItem } from './types.ts';

export const tombstoneTitlePrefix = '[removed] ';
export const tombstoneNote = 'This entry was removed at its source. Palaver keeps its place in the conversation.';

export interface ShownText {
  title: string;
  contentHtml: string | null;
  summaryText: string | null;
}

/**
 * Returns the title, content and summary a writer shows for `item`: unchanged for a live item;
 * for a tombstone the title gets the `[removed] ` prefix and content and summary become the note,
 * so no reader keeps showing words their author took down.
 */
export function showItemText(item: OutItem): ShownText {
  if (!item.tombstone) return { title: item.title, contentHtml: item.contentHtml, summaryText: item.summaryText };
  return {
    title: item.title.startsWith(tombstoneTitlePrefix) ? item.title : `${tombstoneTitlePrefix}${item.title}`,
    contentHtml: `<p>${tombstoneNote}</p>`,
    summaryText: tombstoneNote,
  };
}
