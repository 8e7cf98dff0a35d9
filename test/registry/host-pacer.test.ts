import { describe, expect, it } from 'vitest';
import { paceByHost } from '../../src/registry/host-pacer.ts';
import type { FetchRequest, FetchResponse } from '../../src/reader/types.ts';

describe('paceByHost', () => {
  it('starts requests to one host intervalMs apart and leaves other hosts alone', async () => {
    let clock = 0;
    const started: { url: string; at: number }[] = [];
    const fetch = async (request: FetchRequest) => {
      started.push({ url: request.url, at: clock });
      return {} as FetchResponse;
    };
    const paced = paceByHost(fetch, 250, {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    for (const url of ['http://a.example/1', 'http://b.example/1', 'http://a.example/2', 'http://a.example/3']) await paced({ url });
    expect(started).toEqual([
      { url: 'http://a.example/1', at: 0 },
      { url: 'http://b.example/1', at: 0 },
      { url: 'http://a.example/2', at: 250 },
      { url: 'http://a.example/3', at: 500 },
    ]);
  });
});
