// The log formats: readable lines on a terminal, JSON elsewhere or on request.
import { describe, expect, it } from 'vitest';
import { formatLogLine, resolveLogFormat } from '../src/log-output.ts';

describe('resolveLogFormat', () => {
  it('is readable on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});

describe('formatLogLine', () => {
  const at = new Date(2008, 10, 17, 9, 5, 7).getTime();

  it('makes a request one short line', () => {
    const line = JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', reqId: 'req-1', method: 'GET', url: '/c/1', statusCode: 200, responseTimeMs: 4.2, msg: 'request' });
    expect(formatLogLine(line)).toBe('09:05:07 INFO  GET /c/1 200 4.2 ms');
  });

  it('keeps other fields as key=value and shows an error’s stack under errors', () => {
    expect(formatLogLine(JSON.stringify({ level: 30, time: at, msg: 'poll tick', polled: 2, failed: 0 }))).toBe('09:05:07 INFO  poll tick  polled=2 failed=0');
    const err = formatLogLine(JSON.stringify({ level: 50, time: at, msg: 'request failed', url: '/x', err: { message: 'boom', stack: 'Error: boom\n    at f' } }));
    expect(err.split('\n')[0]).toBe('09:05:07 ERROR request failed');
    expect(err).toContain('\n    Error: boom');
    expect(formatLogLine(JSON.stringify({ level: 40, time: at, msg: 'slow', err: { message: 'late' } }))).toBe('09:05:07 WARN  slow  err=late');
  });

  it('passes text that is not JSON through', () => {
    expect(formatLogLine('plain words')).toBe('plain words');
  });
});
