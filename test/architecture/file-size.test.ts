// One job per file: no module of src/ runs over 400 lines unless its first line says why.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';

const maxLines = 400;

function modules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(path.join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

describe('the modules of src/', () => {
  it(`stay within ${maxLines} lines, or say on their first line why not`, () => {
    const unexplained = modules(path.join(projectRoot, 'src'))
      .map((file) => ({ file: path.relative(projectRoot, file), lines: fs.readFileSync(file, 'utf8').split('\n') }))
      .filter(({ lines }) => lines.length > maxLines && !/^\/\/ Over 400 lines because /.test(lines[0] ?? ''))
      .map(({ file, lines }) => `${file}: ${lines.length} lines`);
    expect(unexplained).toEqual([]);
  });
});
