import { describe, expect, it } from 'vitest';
import { pickSameAsNode, sameAsPlan } from '../../src/threading/same-as.ts';

describe('sameAsPlan', () => {
  it('makes a ping record look for its node, and a post gather the records of pings from its URL', () => {
    expect(sameAsPlan({ urlKey: 'freitag.example/gerede', sourceKey: 'freitag.example/gerede' })).toEqual({ kind: 'record', sourceKey: 'freitag.example/gerede' });
    expect(sameAsPlan({ urlKey: 'freitag.example/gerede', sourceKey: null })).toEqual({ kind: 'post', urlKey: 'freitag.example/gerede' });
    expect(sameAsPlan({ urlKey: null, sourceKey: null })).toEqual({ kind: 'none' });
  });
});

describe('pickSameAsNode', () => {
  it('prefers the pinging post over any record of the ping, whatever their age', () => {
    expect(pickSameAsNode([{ id: 3, sourceKey: 'freitag.example/gerede' }, { id: 9, sourceKey: null }])).toEqual({ id: 9, sourceKey: null });
  });
  it('takes the oldest record when Palaver does not have the post yet', () => {
    expect(pickSameAsNode([{ id: 7, sourceKey: 'k' }, { id: 4, sourceKey: 'k' }])).toEqual({ id: 4, sourceKey: 'k' });
  });
  it('finds no node among no candidates', () => {
    expect(pickSameAsNode([])).toBeNull();
  });
});
