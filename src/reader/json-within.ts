// Parses JSON from other sites within a nesting limit. JSON.parse builds every level of
// [[[…]]] as it goes: 2 MB of brackets (a WordPress REST answer's size limit) held the event
// loop for about 0.9 s where a flat answer of the same size takes milliseconds, and no feed or
// comment list nests more than a few levels. Pure: no I/O.

/** Deeper than any JSON Feed or WordPress REST answer, extensions included. */
export const maxJsonDepth = 64;

/** JSON nested deeper than the limit; JSON.parse's own SyntaxError stays what it is. */
export class JsonDepthError extends Error {
  constructor(readonly maxDepth: number) {
    super(`the JSON nests more than ${maxDepth} levels deep`);
    this.name = 'JsonDepthError';
  }
}

/** Parses `text` as JSON.parse does, after one pass that refuses nesting past `maxDepth`. */
export function parseJsonWithin(text: string, maxDepth: number = maxJsonDepth): unknown {
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 34 /* " */) {
      // A string: skip to its closing quote, over escaped characters.
      for (at += 1; at < text.length; at++) {
        const s = text.charCodeAt(at);
        if (s === 92 /* \ */) at += 1;
        else if (s === 34) break;
      }
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) throw new JsonDepthError(maxDepth);
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth -= 1;
    }
  }
  return JSON.parse(text);
}
