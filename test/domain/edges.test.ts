import { describe, expect, it } from 'vitest';
import { edgeTargetKey, parseEdgeTarget, type EdgeTarget } from '../../src/domain/edges.ts';

describe('edge targets', () => {
  it.each<[EdgeTarget, string]>([
    [{ kind: 'url', key: 'planetsab.example/2008/11/exkurs' }, 'url:planetsab.example/2008/11/exkurs'],
    [{ kind: 'ref', guid: 'tag:blogger.com,1999:blog-1.post-2' }, 'ref:tag:blogger.com,1999:blog-1.post-2'],
    [{ kind: 'entry', id: 42 }, 'entry:42'],
  ])('stores %j as %s and reads it back', (target, stored) => {
    expect(edgeTargetKey(target)).toBe(stored);
    expect(parseEdgeTarget(stored)).toEqual(target);
  });

  it('reads nothing from a form Palaver never writes', () => {
    expect(parseEdgeTarget('mailto:x@example.org')).toBeNull();
    expect(parseEdgeTarget('entry:abc')).toBeNull();
    expect(parseEdgeTarget('no colon')).toBeNull();
  });
});
