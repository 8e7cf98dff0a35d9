// Parsing the `palaver` command line: per-command help with examples, --version, and unknown
// options answered with the command's valid ones.
import { describe, expect, it } from 'vitest';
import { commands, parseCommandLine, palaverVersion } from '../../src/cli-usage.ts';

describe('parseCommandLine', () => {
  it('prints the version for --version, not a parser error', () => {
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'print', text: `palaver ${palaverVersion()}` });
    expect(palaverVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('gives each command its own help with options and examples, by --help, -h or help <command>', () => {
    for (const spec of commands) {
      for (const argv of [[spec.name, '--help'], [spec.name, '-h'], ['help', spec.name]]) {
        const parsed = parseCommandLine(argv);
        expect(parsed.kind, argv.join(' ')).toBe('print');
        const text = (parsed as { text: string }).text;
        expect(text).toMatch(new RegExp(`^Usage: palaver ${spec.name}`));
        expect(text).toContain('Examples:\n  ');
        expect(text).toContain('--quiet');
      }
    }
    const poll = parseCommandLine(['poll', '--help']) as { text: string };
    expect(poll.text).toContain('--force      with --once: poll every source now');
    expect(poll.text).not.toContain('import-opml');
  });

  it('names the command’s valid options for an unknown one', () => {
    const parsed = parseCommandLine(['poll', '--foo']);
    expect(parsed.kind).toBe('error');
    expect((parsed as { message: string }).message).toMatch(/^Unknown option --foo for palaver poll\. Its options: --once, --force, --quiet, --help\./);
    expect((parseCommandLine(['add', 'https://example.org/', '--once']) as { message: string }).message).toMatch(/^Unknown option --once for palaver add\. Its options: --no-poll, --quiet, --help\./);
    expect((parseCommandLine(['poll', '--once=yes']) as { message: string }).message).toMatch(/^Option --once takes no value\./);
  });

  it('refuses unknown commands and extra arguments, naming what is possible', () => {
    expect((parseCommandLine(['pol']) as { message: string }).message).toMatch(/^Unknown command “pol”\. Commands: add, poll, import-opml, export-opml, group, migrate, backup, demo, web, poller, migrate-to-postgres\./);
    expect((parseCommandLine(['migrate', 'now']) as { message: string }).message).toMatch(/^palaver migrate takes no arguments; “now” is one too many\./);
  });

  it('hands a command its arguments and options', () => {
    expect(parseCommandLine(['poll', '--once', '--force', '-q'])).toMatchObject({ kind: 'run', command: { name: 'poll' }, args: [], values: { once: true, force: true, quiet: true } });
    expect(parseCommandLine(['add', 'https://example.org/', '--no-poll'])).toMatchObject({ kind: 'run', args: ['https://example.org/'], values: { 'no-poll': true } });
    expect(parseCommandLine([])).toMatchObject({ kind: 'print', text: expect.stringMatching(/^Usage: palaver <command>/) });
  });
});

describe('the front door of the command', () => {
  it('answers --help from modules that load nothing but Node itself and the project root (no config schema, no database)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const src = path.resolve(import.meta.dirname, '../../src');
    // The static imports reachable from cli-entry.ts (the dynamic import of cli.ts runs only for a command).
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
        else expect(spec, `${path.relative(src, file)} imports ${spec}`).toMatch(/^node:/);
      }
    };
    walk(path.join(src, 'cli-entry.ts'));
    expect([...seen].map((f) => path.relative(src, f)).sort()).toEqual(['cli-entry.ts', 'cli-usage.ts', 'project-root.ts']);
  });
});
