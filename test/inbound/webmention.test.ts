import { describe, expect, it } from 'vitest';
import { checkWebmentionRequest, type WebmentionErrorCode } from '../../src/inbound/webmention.ts';

const ours = (url: string) => url.startsWith('http://localhost:3000/') || url.startsWith('https://blog.example/');

describe('checkWebmentionRequest', () => {
  const accepted: { name: string; source: string; target: string; expected: { source: string; target: string } }[] = [
    {
      name: 'a post linking to a conversation page',
      source: 'https://freitag.example/2008/05/smc/',
      target: 'http://localhost:3000/c/1',
      expected: { source: 'https://freitag.example/2008/05/smc/', target: 'http://localhost:3000/c/1' },
    },
    {
      name: 'URLs with surrounding whitespace and an unnormalised host',
      source: '  http://FREITAG.example:80/a  ',
      target: 'https://blog.example/2008/05/post/#comment-3',
      expected: { source: 'http://freitag.example/a', target: 'https://blog.example/2008/05/post/#comment-3' },
    },
    {
      name: 'a comment of the target page as source (different comment anchor)',
      source: 'https://blog.example/post/#comment-7',
      target: 'https://blog.example/post/',
      expected: { source: 'https://blog.example/post/#comment-7', target: 'https://blog.example/post/' },
    },
  ];
  for (const c of accepted) {
    it(`accepts ${c.name}`, () => {
      expect(checkWebmentionRequest({ source: c.source, target: c.target }, ours)).toEqual({ ok: true, ...c.expected });
    });
  }

  const refused: { name: string; body: { source?: unknown; target?: unknown }; code: WebmentionErrorCode; message: RegExp }[] = [
    { name: 'no source', body: { target: 'http://localhost:3000/c/1' }, code: 'missing-source', message: /^source is missing$/ },
    { name: 'an empty source', body: { source: '  ', target: 'http://localhost:3000/c/1' }, code: 'missing-source', message: /source is missing/ },
    { name: 'no target', body: { source: 'https://a.example/' }, code: 'missing-target', message: /^target is missing$/ },
    { name: 'neither', body: {}, code: 'missing-source', message: /^source is missing; target is missing$/ },
    { name: 'a relative source', body: { source: '/post', target: 'http://localhost:3000/c/1' }, code: 'invalid-source', message: /not an absolute URL/ },
    { name: 'a non-http source', body: { source: 'ftp://a.example/x', target: 'http://localhost:3000/c/1' }, code: 'invalid-source', message: /not ftp:/ },
    { name: 'a javascript target', body: { source: 'https://a.example/', target: 'javascript:alert(1)' }, code: 'invalid-target', message: /not javascript:/ },
    { name: 'a mailto target', body: { source: 'https://a.example/', target: 'mailto:x@localhost' }, code: 'invalid-target', message: /http or https/ },
    { name: 'both invalid', body: { source: 'nope', target: 'also nope' }, code: 'invalid-source', message: /source "nope".*; target "also nope"/ },
    { name: 'credentials in source', body: { source: 'https://u:p@a.example/', target: 'http://localhost:3000/c/1' }, code: 'invalid-source', message: /user name or password/ },
    { name: 'a repeated field', body: { source: ['https://a.example/', 'https://b.example/'], target: 'http://localhost:3000/c/1' }, code: 'invalid-source', message: /more than once/ },
    { name: 'a non-string field', body: { source: 42, target: 'http://localhost:3000/c/1' }, code: 'invalid-source', message: /must be a URL/ },
    { name: 'an over-long source', body: { source: `https://a.example/${'x'.repeat(3000)}`, target: 'http://localhost:3000/c/1' }, code: 'invalid-source', message: /longer than/ },
    { name: 'source equal to target', body: { source: 'http://localhost:3000/c/1', target: 'http://localhost:3000/c/1' }, code: 'source-is-target', message: /same page/ },
    {
      name: 'source equal to target after normalisation',
      body: { source: 'https://www.blog.example/post/?utm_source=x#top', target: 'https://blog.example/post' },
      code: 'source-is-target',
      message: /same page/,
    },
    { name: 'a target that is not ours', body: { source: 'https://a.example/', target: 'https://elsewhere.example/post' }, code: 'target-not-ours', message: /elsewhere\.example.*not a page/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const result = checkWebmentionRequest(c.body, ours);
      if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
      expect(result.code).toBe(c.code);
      expect(result.message).toMatch(c.message);
    });
  }

  it('asks the predicate with the parsed target, and only for otherwise valid requests', () => {
    const asked: string[] = [];
    const spy = (url: string) => {
      asked.push(url);
      return true;
    };
    checkWebmentionRequest({ source: 'https://a.example/', target: ' HTTP://LOCALHOST:3000/c/2 ' }, spy);
    checkWebmentionRequest({ source: 'bad', target: 'http://localhost:3000/c/3' }, spy);
    expect(asked).toEqual(['http://localhost:3000/c/2']);
  });
});
