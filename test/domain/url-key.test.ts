import { describe, expect, it } from 'vitest';
import { isUnderHome, urlKey } from '../../src/domain/url-key.ts';

describe('urlKey', () => {
  it.each([
    ['http://example.org/', 'example.org'],
    ['https://www.example.org', 'example.org'],
    ['https://WWW.Example.ORG:443/2008/11/post/', 'example.org/2008/11/post'],
    ['http://example.org:80/a/', 'example.org/a'],
    ['http://example.org:8080/a', 'example.org:8080/a'],
    ['https://example.org:80/a', 'example.org/a'],
    ['http://example.org/a/?utm_source=rss&utm_medium=feed', 'example.org/a'],
    ['http://example.org/?p=12&utm_campaign=x', 'example.org?p=12'],
    ['http://example.org/a/#comments', 'example.org/a'],
    ['http://example.org/a/#comment-17', 'example.org/a#comment-17'],
    ['http://example.blogspot.com/2008/11/x.html#c123456', 'example.blogspot.com/2008/11/x.html#c123456'],
  ])('folds %s to %s', (input, key) => {
    expect(urlKey(input)).toBe(key);
  });

  it('treats http and https of the same page as one', () => {
    expect(urlKey('http://www.planetsab.de/2008/11/social-media-camp/')).toBe(
      urlKey('https://planetsab.de/2008/11/social-media-camp'),
    );
  });

  it('keys a path with a long run of slashes in one pass, folding only the trailing ones', () => {
    // With a regular expression for the trailing slashes, 200,000 of them inside a path took about half a minute.
    const inner = '/'.repeat(200_000);
    expect(urlKey(`http://example.org/a${inner}b//`)).toBe(`example.org/a${inner}b`);
  });

  it('keeps different comment anchors apart', () => {
    expect(urlKey('http://x.org/p/#comment-1')).not.toBe(urlKey('http://x.org/p/#comment-2'));
  });

  it.each(['javascript:alert(1)', 'mailto:a@b.c', 'not a url', '', 'ftp://example.org/'])('returns null for %s', (input) => {
    expect(urlKey(input)).toBeNull();
  });
});

describe('isUnderHome', () => {
  it('accepts posts under the home URL', () => {
    expect(isUnderHome('https://www.example.org/2008/11/post/', 'http://example.org/')).toBe(true);
    expect(isUnderHome('http://example.org/blog/2008/x', 'http://example.org/blog/')).toBe(true);
  });

  it('refuses other hosts, ports and sibling paths', () => {
    expect(isUnderHome('http://example.com/x', 'http://example.org/')).toBe(false);
    expect(isUnderHome('http://example.org:8080/x', 'http://example.org/')).toBe(false);
    expect(isUnderHome('http://example.org/blogroll', 'http://example.org/blog')).toBe(false);
  });
});
