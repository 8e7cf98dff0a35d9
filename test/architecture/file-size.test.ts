// One job per file and a map of them: no module of src/ runs over 400 lines unless its first line
// says why, and README's "How it is built" names every folder.
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

describe("README's How it is built", () => {
  it('names every folder under src/', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## How it is built'), readme.indexOf('## Dependencies and why'));
    const folders = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [path.join(dir, e.name), ...folders(path.join(dir, e.name))]);
    const unnamed = folders(path.join(projectRoot, 'src'))
      .map((dir) => path.relative(path.join(projectRoot, 'src'), dir).split(path.sep).join('/'))
      .filter((name) => !section.includes(`src/${name}/`) && !section.includes(`\`${name.split('/').at(-1)}/\``));
    expect(unnamed).toEqual([]);
  });
});
