import { describe, expect, it } from 'vitest';
import { rejectionOf, rejectionReason, type PingRejection } from '../../src/domain/verification.ts';

describe('rejection reasons', () => {
  it.each<PingRejection>(['blocked-host', 'strangers-refused', 'no-link'])('writes %s as a reason that reads back as the same code', (code) => {
    expect(rejectionOf(rejectionReason(code))).toBe(code);
  });

  it('keeps what went wrong reading the source, and reads anything else back as unreadable', () => {
    expect(rejectionReason('source-unreadable', 'the source answered HTTP 500')).toBe('the source could not be checked: the source answered HTTP 500');
    expect(rejectionOf('the source could not be checked: refused to connect to private address 10.0.0.1 (blocked range)')).toBe('source-unreadable');
    expect(rejectionOf(null)).toBe('source-unreadable');
  });
});
