// Pages of a large conversation: the entries in the order a view shows them, cut into pages by
// a budget of entries and characters, so one page never grows with the debate. Pure.

export interface PageBudget {
  /** Entries on one page at most. */
  maxEntries: number;
  /** Characters of content (plus a fixed share for each entry's markup) on one page, about. */
  maxChars: number;
}

/** An entry in the order a view shows it, with its depth in the thread (0 in the timeline). */
export interface PageStep {
  id: number;
  depth: number;
}

// What an entry's markup (header, byline, links) adds to its content, in characters.
const markupPerEntry = 800;

/**
 * Cuts the ordered entries into pages within the budget; an entry larger than the whole budget
 * gets a page of its own. Returns at least one (maybe empty) page.
 */
export function splitIntoPages(steps: readonly PageStep[], sizeOf: (id: number) => number, budget: PageBudget): PageStep[][] {
  const pages: PageStep[][] = [];
  let current: PageStep[] = [];
  let chars = 0;
  for (const step of steps) {
    const cost = markupPerEntry + Math.max(0, sizeOf(step.id));
    if (current.length > 0 && (current.length >= budget.maxEntries || chars + cost > budget.maxChars)) {
      pages.push(current);
      current = [];
      chars = 0;
    }
    current.push(step);
    chars += cost;
  }
  if (current.length > 0 || pages.length === 0) pages.push(current);
  return pages;
}
