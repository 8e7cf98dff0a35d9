// Whether a TCP port is free before Palaver (or its demo) changes anything, and, when it is not,
// which process holds it: Linux's /proc names the listening socket's owner (same user only).
import fs from 'node:fs';
import net from 'node:net';

export interface PortOwner {
  pid: number;
  /** Its command line, shortened. */
  command: string;
}

function probeAddress(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EADDRINUSE'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * Tries to bind host:port and lets go at once; returns the error code (EADDRINUSE, EACCES) or
 * null when free. "localhost" is tried on both loopback addresses, as Fastify listens on both.
 */
export async function probePort(port: number, host: string): Promise<string | null> {
  const addresses = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
  for (const address of addresses) {
    const code = await probeAddress(port, address);
    // A machine without IPv6 has no ::1 to bind: that is not a taken port.
    if (code && !(host === 'localhost' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT'))) return code;
  }
  return null;
}

/** Finds the first free port after `port` (up to 20 tries), for a suggestion; null when none. */
export async function findFreePortAfter(port: number, host: string): Promise<number | null> {
  for (let p = port + 1; p <= Math.min(port + 20, 65535); p++) if ((await probePort(p, host)) === null) return p;
  return null;
}

// /proc/net/tcp{,6}: "sl local_address rem_address st ... inode"; a listening socket has st 0A.
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue;
      const localPort = parseInt(cols[1]!.split(':')[1] ?? '', 16);
      if (localPort === port) inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/** Names the process listening on a TCP port, when this system shows it (Linux, same user); else null. */
export function findPortOwner(port: number): PortOwner | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (!inode || !inodes.has(inode)) continue;
      let command = '';
      try {
        command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      } catch {
        command = '';
      }
      return { pid: Number(pid), command: command.length > 120 ? `${command.slice(0, 119)}…` : command };
    }
  }
  return null;
}

/** Explains a taken port to a person: who holds it, how to stop it, which PORT to use instead. */
export function describeTakenPort(options: { port: number; host: string; code: string; owner: PortOwner | null; freePort: number | null; command: string }): string {
  const { port, owner } = options;
  if (options.code === 'EACCES') return `Port ${port} needs privileges this user lacks. Use a port above 1023: PORT=3000 ${options.command}`;
  const who = owner
    ? `process ${owner.pid}${owner.command ? ` (${owner.command})` : ''}${/src\/main\.[jt]s|npm start/.test(owner.command) ? ', which looks like `npm start`' : /palaver(\.js)? demo/.test(owner.command) ? ', which looks like another `palaver demo`' : ''}`
    : 'another process';
  const stop = owner ? `Stop it (Ctrl-C where it runs, or kill ${owner.pid})` : 'Stop it';
  const instead = `PORT=${options.freePort ?? port + 1} ${options.command}`;
  return `Port ${port} on ${options.host} is taken by ${who}.\n${stop}, or use another port: ${instead}`;
}
