// Pingback 1.0 at Palaver's XML-RPC endpoint: `pingback.ping` checked, queued and verified
// within a deadline, answered with the spec's fault codes; `pingback.extensions.getPingbacks`
// listing accepted sources. Works on decoded XML-RPC values; the route does the wire format.
import type { PingVerdict } from '../domain/verification.ts';
import { urlKey } from '../domain/url-key.ts';
import { findPingBySourceTarget, listAcceptedPings } from '../store/pings.ts';
import type { XmlRpcValue } from '../xmlrpc/codec.ts';
import { admitPing, isBlockedSource, queuePing, type IntakeDeps } from './intake.ts';
import { resolvePingTarget } from './ping-target.ts';

/** Pingback 1.0 fault codes (the spec's "Error codes" section), and XML-RPC's own. */
export const pingbackFaults = {
  sourceMissing: 0x10,
  noLink: 0x11,
  targetMissing: 0x20,
  targetNotPingable: 0x21,
  alreadyRegistered: 0x30,
  accessDenied: 0x31,
  upstream: 0x32,
  methodNotFound: -32601,
  invalidParams: -32602,
} as const;

/** What the endpoint answers: a value, or a fault. */
export type XmlRpcAnswer = { ok: true; value: XmlRpcValue } | { ok: false; faultCode: number; faultString: string };

export interface PingbackDeps extends IntakeDeps {
  /** How long pingback.ping waits for its verification before answering "queued". */
  deadlineMs: number;
}

const fault = (faultCode: number, faultString: string): XmlRpcAnswer => ({ ok: false, faultCode, faultString });
const answer = (value: XmlRpcValue): XmlRpcAnswer => ({ ok: true, value });

/** Answers an XML-RPC call to the pingback endpoint. */
export async function answerPingbackCall(deps: PingbackDeps, call: { methodName: string; params: XmlRpcValue[]; clientAddress: string }): Promise<XmlRpcAnswer> {
  switch (call.methodName) {
    case 'pingback.ping':
      return receivePingback(deps, call.params, call.clientAddress);
    case 'pingback.extensions.getPingbacks':
      return listPingbacks(deps, call.params);
    default:
      return fault(pingbackFaults.methodNotFound, `server error: requested method ${call.methodName} not found`);
  }
}

/** Takes a pingback.ping(source, target): checks, queues and verifies it within the deadline. */
export async function receivePingback(deps: PingbackDeps, params: XmlRpcValue[], clientAddress: string): Promise<XmlRpcAnswer> {
  const [source, target] = params;
  if (params.length !== 2 || typeof source !== 'string' || typeof target !== 'string') {
    return fault(pingbackFaults.invalidParams, 'server error: invalid method parameters: pingback.ping takes (string source, string target)');
  }
  if (!urlKey(source)) return fault(pingbackFaults.sourceMissing, 'The source URI is not an http(s) URL.');
  if (!urlKey(target)) return fault(pingbackFaults.targetMissing, 'The target URI is not an http(s) URL.');
  if (urlKey(source) === urlKey(target)) return fault(pingbackFaults.sourceMissing, 'The source URI and the target URI are the same.');
  const resolved = await resolvePingTarget(deps.db, deps.publicUrl, target);
  if (!resolved) {
    const ours = urlKey(target)!.startsWith(`${urlKey(deps.publicUrl)}/`);
    return ours
      ? fault(pingbackFaults.targetMissing, 'The target URI does not exist on Palaver.')
      : fault(pingbackFaults.targetNotPingable, 'The target URI is neither a Palaver page nor a post of a blog Palaver follows.');
  }
  if (await isBlockedSource(deps.db, source)) return fault(pingbackFaults.accessDenied, 'Pings from this site are not accepted.');
  const earlier = await findPingBySourceTarget(deps.db, source, target);
  if (earlier?.status === 'accepted' && earlier.protocol === 'pingback') return fault(pingbackFaults.alreadyRegistered, 'The pingback has already been registered.');
  const refusal = await admitPing(deps, clientAddress, source);
  if (refusal) return fault(pingbackFaults.upstream, refusal.message);

  const ping = await queuePing(deps, { protocol: 'pingback', sourceUrl: source, target: resolved, clientAddress });
  const queued = answer(`Pingback from ${source} to ${target} queued for verification.`);
  if (!deps.verifier) return queued;
  // Verify within the deadline; a slow source is finished later and the answer says so.
  // At the deadline verifyNow stops waiting for a verification that a background pass runs.
  const late = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      late.abort();
      resolve('late');
    }, deps.deadlineMs);
  });
  const verdict: PingVerdict | 'late' = await Promise.race([deps.verifier.verifyNow(ping.id, late.signal), deadline]);
  clearTimeout(timer);
  if (verdict === 'late') return queued;
  switch (verdict.outcome) {
    case 'accepted':
      return answer(`Pingback from ${source} to ${target} registered.`);
    case 'held':
      return answer(`Pingback from ${source} to ${target} received; it shows once a moderator approves it.`);
    case 'retry':
      return queued;
    case 'gone':
      return fault(pingbackFaults.sourceMissing, 'The source URI does not exist.');
    case 'rejected':
      switch (verdict.rejection) {
        case 'blocked-host':
          return fault(pingbackFaults.accessDenied, 'Pings from this site are not accepted.');
        case 'strangers-refused':
          return fault(pingbackFaults.accessDenied, 'Palaver accepts pingbacks only from the blogs it follows.');
        case 'no-link':
          return fault(pingbackFaults.noLink, 'The source URI does not contain a link to the target URI.');
        case 'source-unreadable':
          return fault(pingbackFaults.sourceMissing, `The source URI could not be read: ${verdict.reason}.`);
      }
  }
}

/** Answers pingback.extensions.getPingbacks(url): the sources of the newest accepted pings of a target of ours (maxListedPings). */
export async function listPingbacks(deps: Pick<IntakeDeps, 'db' | 'publicUrl'>, params: XmlRpcValue[]): Promise<XmlRpcAnswer> {
  const [target] = params;
  if (params.length !== 1 || typeof target !== 'string') {
    return fault(pingbackFaults.invalidParams, 'server error: invalid method parameters: pingback.extensions.getPingbacks takes (string url)');
  }
  const resolved = await resolvePingTarget(deps.db, deps.publicUrl, target);
  if (!resolved) return fault(pingbackFaults.targetMissing, 'The specified target URL does not exist.');
  const pings = await listAcceptedPings(deps.db, target);
  return answer(pings.map((p) => p.sourceUrl));
}
