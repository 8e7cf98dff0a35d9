import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/web/errors.ts';
import { parseId, parseIdParam } from '../../src/web/ids.ts';

describe('parseId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    ['999999999999999', 999_999_999_999_999],
  ])('reads %s as %d', (raw, id) => {
    expect(parseId(raw)).toBe(id);
  });

  it.each([['0'], ['000'], ['-1'], ['1.5'], ['1e3'], [' 1'], ['1 '], ['0x10'], ['1234567890123456'], [''], ['١٢']])('names nothing by %j', (raw) => {
    expect(parseId(raw)).toBeNull();
  });

  it('names nothing by what is not a string', () => {
    expect([parseId(1), parseId(undefined), parseId(null), parseId(['1'])]).toEqual([null, null, null, null]);
  });
});

describe('parseIdParam', () => {
  it('reads the :id of route params, and answers 404 naming the thing otherwise', () => {
    expect(parseIdParam({ id: '12' }, 'conversation')).toBe(12);
    for (const params of [{ id: 'x' }, {}, null]) {
      const error = (() => {
        try {
          parseIdParam(params, 'conversation');
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ statusCode: 404, code: 'not-found', message: 'There is no such conversation.' });
    }
  });
});
