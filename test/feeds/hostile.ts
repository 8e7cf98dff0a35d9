// Hostile strings for titles and content, each with what a reader must get back after a round
// trip through a strict parser. Shared by the Atom, RSS and JSON Feed tests.

export interface HostileCase {
  name: string;
  input: string;
  expected: string;
}

export const hostileCases: HostileCase[] = [
  { name: 'a CDATA terminator and a script tag', input: ']]><script>alert(1)</script>', expected: ']]><script>alert(1)</script>' },
  { name: 'a CDATA section of its own', input: '<![CDATA[ x ]]> & <!-- c -->', expected: '<![CDATA[ x ]]> & <!-- c -->' },
  { name: 'ampersands and entity look-alikes', input: 'Tom & Jerry &amp; &lt;b&gt; &nbsp; &#0; &#x1F;', expected: 'Tom & Jerry &amp; &lt;b&gt; &nbsp; &#0; &#x1F;' },
  { name: 'C0 control characters', input: 'a\u0000b\u0007c\u000Bd\u001Fe', expected: 'abcde' },
  { name: 'tab and newlines', input: 'eins\tzwei\ndrei', expected: 'eins\tzwei\ndrei' },
  { name: 'a carriage return', input: 'eins\r\nzwei', expected: 'eins\r\nzwei' },
  { name: 'noncharacters U+FFFE and U+FFFF', input: 'x\uFFFEy\uFFFFz', expected: 'xyz' },
  { name: 'lone surrogates', input: 'hi\uD800 there\uDFFF!', expected: 'hi\uFFFD there\uFFFD!' },
  { name: 'a reversed surrogate pair', input: '\uDE00\uD83D', expected: '\uFFFD\uFFFD' },
  { name: 'a real surrogate pair (emoji)', input: 'Daumen 👍 hoch', expected: 'Daumen 👍 hoch' },
  { name: 'quotes of every kind', input: `"double" 'single' „typographisch“ »Guillemets«`, expected: `"double" 'single' „typographisch“ »Guillemets«` },
  { name: 'German umlauts and ß', input: 'Öffentlichkeit, Änderung, Übermut, Straße – äöü', expected: 'Öffentlichkeit, Änderung, Übermut, Straße – äöü' },
  { name: 'markup that closes the element', input: '</title></entry></feed><evil/>', expected: '</title></entry></feed><evil/>' },
];
