// Explaining a taken port: which process holds it, and whether it looks like Palaver's own.
import { describe, expect, it } from 'vitest';
import { describeTakenPort } from '../src/port-owner.ts';

const base = { port: 3000, host: 'localhost', code: 'EADDRINUSE', freePort: 3001, command: 'npm start' };

describe('describeTakenPort', () => {
  it('recognises `npm start` by the compiled entry it runs, and by the sources `npm run dev` runs', () => {
    for (const command of ['node --enable-source-maps dist/src/main.js', 'node --import tsx --watch src/main.ts']) {
      const text = describeTakenPort({ ...base, owner: { pid: 42, command } });
      expect(text).toContain(`process 42 (${command}), which looks like \`npm start\``);
      expect(text).toContain('PORT=3001 npm start');
    }
  });

  it('recognises another demo, and names any other process plainly', () => {
    expect(describeTakenPort({ ...base, owner: { pid: 7, command: 'node bin/palaver.js demo' } })).toContain('which looks like another `palaver demo`');
    const other = describeTakenPort({ ...base, owner: { pid: 9, command: 'python3 -m http.server 3000' } });
    expect(other).toContain('taken by process 9 (python3 -m http.server 3000).');
    expect(describeTakenPort({ ...base, owner: null })).toContain('taken by another process.');
  });
});
