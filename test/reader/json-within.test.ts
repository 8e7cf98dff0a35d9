// JSON from other sites parsed within a nesting limit: the limit counts brackets outside strings only.
import { describe, expect, it } from 'vitest';
import { JsonDepthError, maxJsonDepth, parseJsonWithin } from '../../src/reader/json-within.ts';

describe('parseJsonWithin', () => {
  it('parses what JSON.parse parses, nested up to the limit', () => {
    const text = '{"items": [{"id": "1", "tags": ["a", {"b": [1, 2.5e3, null, true]}]}], "t": "ü\\u00fc"}';
    expect(parseJsonWithin(text)).toEqual(JSON.parse(text));
    const atLimit = `${'['.repeat(maxJsonDepth)}${']'.repeat(maxJsonDepth)}`;
    expect(parseJsonWithin(atLimit)).toEqual(JSON.parse(atLimit));
  });

  it('refuses one level past the limit, in arrays or objects', () => {
    expect(() => parseJsonWithin(`${'['.repeat(maxJsonDepth + 1)}${']'.repeat(maxJsonDepth + 1)}`)).toThrow(new JsonDepthError(maxJsonDepth));
    expect(() => parseJsonWithin(`${'{"a":'.repeat(5)}1${'}'.repeat(5)}`, 4)).toThrow('the JSON nests more than 4 levels deep');
  });

  it('does not count brackets in strings, escaped quotes included', () => {
    const text = JSON.stringify({ html: `<p>${'[{'.repeat(500)} "zitiert" \\ </p>` });
    expect(parseJsonWithin(text, 2)).toEqual(JSON.parse(text));
  });

  it('leaves malformed JSON to JSON.parse', () => {
    expect(() => parseJsonWithin('[{"id": 1,')).toThrow(SyntaxError);
  });
});
