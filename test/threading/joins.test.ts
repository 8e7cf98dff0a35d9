import { describe, expect, it } from 'vitest';
import { edgeTypes } from '../../src/domain/vocabulary.ts';
import { joinsConversation } from '../../src/threading/joins.ts';

describe('joinsConversation', () => {
  it('joins the conversations of the two entries of every edge type there is', () => {
    expect(edgeTypes.filter((type) => !joinsConversation(type))).toEqual([]);
  });
});
