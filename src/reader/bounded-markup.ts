// Builds the tree of a foreign HTML page or XML document within limits on the elements it
// creates, how deep they nest and how long building takes, and stops the parser at the first
// limit it passes. The limits are counted on the tree the parser builds, not on the tags as
// written: parse5 recreates still-open formatting elements (<b id=1>…<b id=100>) for every
// block after them, so 40 KB of markup can build half a million elements, and its scope checks
// make a deep page quadratic (40,000 nested <div>: 26 s). Pure: no I/O.
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import { DomHandler, type Element } from 'domhandler';
import { Parser } from 'htmlparser2';
import { adapter as domAdapter } from 'parse5-htmlparser2-tree-adapter';

export interface MarkupLimits {
  /** Elements the parser may create, those it recreates included. */
  maxElements: number;
  /** Elements open inside each other at once. */
  maxDepth: number;
  /** Time building the tree may take (checked as elements are created). */
  maxMs: number;
}

/**
 * Blink's HTML parser stops nesting at 512 elements; a page a person reads never comes close,
 * and past it every later operation on the tree (selectors, text, recursion) grows with depth.
 */
export const browserDepth = 512;

/** Which limit a document passed, in words for the person or log that reads the error. */
export class MarkupLimitError extends Error {
  constructor(
    readonly limit: 'elements' | 'depth' | 'time',
    message: string,
  ) {
    super(message);
    this.name = 'MarkupLimitError';
  }
}

/** Counts elements and open depth, and looks at the clock every so many elements. */
function guard(limits: MarkupLimits, what: string) {
  const deadline = performance.now() + limits.maxMs;
  let elements = 0;
  const depth = (open: number): void => {
    if (open > limits.maxDepth) {
      throw new MarkupLimitError('depth', `${what} nests elements more than ${limits.maxDepth.toLocaleString('en')} levels deep`);
    }
  };
  return {
    depth,
    /** An element created `open` levels deep. */
    element(open: number): void {
      elements += 1;
      if (elements > limits.maxElements) {
        throw new MarkupLimitError('elements', `${what} builds more than ${limits.maxElements.toLocaleString('en')} elements`);
      }
      depth(open);
      if ((elements & 255) === 0 && performance.now() > deadline) {
        throw new MarkupLimitError('time', `${what} took longer than ${limits.maxMs.toLocaleString('en')} ms to read`);
      }
    },
  };
}

/**
 * Parses an HTML page with parse5 (as cheerio.load does) into a cheerio document. Throws
 * MarkupLimitError when building it passes a limit; `what` names the document in the message
 * ("the page", "the source page").
 */
export function loadHtmlWithin(html: string, limits: MarkupLimits, what = 'the page'): CheerioAPI {
  const check = guard(limits, what);
  // parse5 reports every push on its stack of open elements: its length is the depth.
  let open = 0;
  const treeAdapter: typeof domAdapter = {
    ...domAdapter,
    createElement(tagName, namespaceURI, attrs) {
      check.element(open + 1);
      return domAdapter.createElement(tagName, namespaceURI, attrs);
    },
    onItemPush(item: Element) {
      open += 1;
      check.depth(open);
      domAdapter.onItemPush?.(item);
    },
    onItemPop(item, newTop) {
      open -= 1;
      domAdapter.onItemPop?.(item, newTop);
    },
  };
  return cheerio.load(html, { treeAdapter });
}

/** DomHandler that counts what it is handed against the limits. */
class BoundedHandler extends DomHandler {
  constructor(
    private readonly check: ReturnType<typeof guard>,
    options: { withStartIndices: boolean },
  ) {
    super(undefined, options);
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    this.check.element(this.tagStack.length);
    super.onopentag(name, attribs);
  }
}

/**
 * Parses an XML document with htmlparser2 in XML mode (as cheerio.load(…, { xml }) does) into a
 * cheerio document. Throws MarkupLimitError when it passes a limit. htmlparser2 never reads a
 * DTD, so no entity is expanded.
 */
export function loadXmlWithin(xml: string, limits: MarkupLimits, what = 'the document', options: { withStartIndices?: boolean } = {}): CheerioAPI {
  const handler = new BoundedHandler(guard(limits, what), { withStartIndices: options.withStartIndices ?? false });
  new Parser(handler, { xmlMode: true, decodeEntities: true }).end(xml);
  return cheerio.load(handler.root, { xml: { xmlMode: true, decodeEntities: true } });
}
