// The memory option of src/node-options.ts is what the long-running processes start with:
// `npx palaver …` (bin/palaver.js's first line) and `npm start`.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeMemoryOptions } from '../src/node-options.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('node options', () => {
  it('bin/palaver.js starts node with the memory options', () => {
    const shebang = fs.readFileSync(path.join(root, 'bin/palaver.js'), 'utf8').split('\n')[0]!;
    // `env -S` splits the line into node and its options (a plain `#!/usr/bin/env node` takes none).
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(nodeMemoryOptions.length).toBeGreaterThan(0);
    for (const option of nodeMemoryOptions) expect(shebang.split(' ')).toContain(option);
  });

  it('npm start starts node with the memory options', () => {
    const start = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start.startsWith('node ')).toBe(true);
    for (const option of nodeMemoryOptions) expect(start.split(' ')).toContain(option);
  });
});
