// Where the service's logs go and how they read: one readable line per event on a terminal,
// JSON lines (pino's) when stdout is not a terminal or LOG_FORMAT=json. One line per request
// either way (OneLinePerRequest), and Palaver's own static files only at debug.
import { Writable } from 'node:stream';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from './config.ts';

export type LogFormat = 'pretty' | 'json';

/** Decides the format: LOG_FORMAT when set to pretty or json, else pretty on a terminal only. */
export function resolveLogFormat(setting: Config['logFormat'], isTTY: boolean): LogFormat {
  if (setting === 'pretty' || setting === 'json') return setting;
  return isTTY ? 'pretty' : 'json';
}

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// pino's own fields and those a person does not need on every line.
const hidden = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'err', 'method', 'url', 'statusCode', 'responseTimeMs']);

function clock(ms: unknown): string {
  const d = new Date(typeof ms === 'number' ? ms : Date.now());
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value === null || typeof value !== 'object') return String(value);
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** Turns one pino JSON line into a line for a person ("14:03:07 INFO  GET /c/1 200 4 ms"); other text passes through. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof record !== 'object' || record === null) return line;
  const level = (levelNames[Number(record.level)] ?? String(record.level)).padEnd(5);
  const request = typeof record.method === 'string' && typeof record.url === 'string' ? `${record.method} ${record.url}${record.statusCode !== undefined ? ` ${record.statusCode}` : ''}${typeof record.responseTimeMs === 'number' ? ` ${record.responseTimeMs} ms` : ''}` : '';
  const message = [request, typeof record.msg === 'string' && record.msg !== 'request' ? record.msg : ''].filter(Boolean).join(' · ');
  const fields = Object.entries(record)
    .filter(([k, v]) => !hidden.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${showValue(v)}`);
  let out = `${clock(record.time)} ${level} ${message}${fields.length ? `  ${fields.join(' ')}` : ''}`;
  const err = record.err as { message?: string; stack?: string } | undefined;
  if (err) out += Number(record.level) >= 50 && err.stack ? `\n${err.stack.replace(/^/gm, '    ')}` : `  err=${showValue(err.message ?? err)}`;
  return out;
}

/** A stream for pino that writes each record as a readable line to `target`. */
export function createPrettyStream(target: NodeJS.WritableStream = process.stdout): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) target.write(`${formatLogLine(line)}\n`);
        nl = pending.indexOf('\n');
      }
      done();
    },
  });
}

/** Returns Fastify's logger options for the settings: the level, and the readable stream on a terminal. */
export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>, isTTY = Boolean(process.stdout.isTTY)): Record<string, unknown> {
  return resolveLogFormat(config.logFormat, isTTY) === 'pretty' ? { level: config.logLevel, stream: createPrettyStream() } : { level: config.logLevel };
}

/**
 * Logs each request once, when it is answered, instead of Fastify's two lines: method, path,
 * status and time; Palaver's static files at debug, so `info` shows pages, feeds and pings.
 */
export class OneLinePerRequest extends LogController {
  private readonly quiet: Set<string>;

  constructor(quietPaths: readonly string[]) {
    super();
    this.quiet = new Set(quietPaths);
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else if (this.quiet.has(request.url.split('?')[0] ?? request.url)) reply.log.debug(fields, 'request');
    else reply.log.info(fields, 'request');
  }
}
