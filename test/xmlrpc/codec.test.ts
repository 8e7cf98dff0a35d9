import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  type XmlRpcValue,
  XmlRpcParseError,
  parseMethodCall,
  parseMethodResponse,
  serializeFault,
  serializeMethodCall,
  serializeMethodResponse,
} from '../../src/xmlrpc/codec.ts';

const limits = { maxBytes: 64 * 1024 };

function call(paramsXml: string): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>test.echo</methodName><params>${paramsXml}</params></methodCall>`;
}

function param(valueXml: string): string {
  return call(`<param><value>${valueXml}</value></param>`);
}

function firstParam(valueXml: string): XmlRpcValue | undefined {
  return parseMethodCall(param(valueXml), limits).params[0];
}

function parseError(run: () => unknown): XmlRpcParseError {
  try {
    run();
  } catch (err) {
    if (err instanceof XmlRpcParseError) return err;
    throw err;
  }
  throw new Error('expected an XmlRpcParseError');
}

describe('parseMethodCall', () => {
  it('reads a pingback.ping call as WordPress sends it', () => {
    const body = `<?xml version="1.0"?>
<methodCall>
<methodName>pingback.ping</methodName>
<params>
<param><value><string>http://planetsab.example/2008/11/social-media-camp/</string></value></param>
<param><value><string>http://sachar.example/2008/11/camp/</string></value></param>
</params></methodCall>`;
    expect(parseMethodCall(body, limits)).toEqual({
      methodName: 'pingback.ping',
      params: ['http://planetsab.example/2008/11/social-media-camp/', 'http://sachar.example/2008/11/camp/'],
    });
  });

  it('reads a value without a type element as a string, whitespace kept', () => {
    expect(firstParam('  untyped text ')).toBe('  untyped text ');
    expect(firstParam('')).toBe('');
  });

  it.each<[string, XmlRpcValue]>([
    ['<int>42</int>', 42],
    ['<i4>-7</i4>', -7],
    ['<int> +3 </int>', 3],
    ['<boolean>1</boolean>', true],
    ['<boolean>0</boolean>', false],
    ['<double>-12.5</double>', -12.5],
    ['<double>1.5e3</double>', 1500],
    ['<string>a &amp; b &lt;c&gt; &#8230; &#x2014;</string>', 'a & b <c> … —'],
    ['<string><![CDATA[<b>raw</b>]]></string>', '<b>raw</b>'],
    ['<string></string>', ''],
    ['<nil/>', null],
    ['<base64>aGVsbG8=</base64>', Buffer.from('hello')],
    ['<base64>aGVs\n bG8=</base64>', Buffer.from('hello')],
    ['<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>', new Date('1998-07-17T14:08:55Z')],
    ['<dateTime.iso8601>20081114T21:36:00Z</dateTime.iso8601>', new Date('2008-11-14T21:36:00Z')],
    ['<dateTime.iso8601>2008-11-14T22:36:00+01:00</dateTime.iso8601>', new Date('2008-11-14T21:36:00Z')],
    ['<array><data><value><int>1</int></value><value>two</value></data></array>', [1, 'two']],
    ['<array><data></data></array>', []],
  ])('reads %s', (xml, expected) => {
    expect(firstParam(xml)).toEqual(expected);
  });

  it('reads structs inside arrays inside structs', () => {
    const value = firstParam(
      `<struct>
        <member><name>pings</name><value><array><data>
          <value><struct><member><name>pingURL</name><value><string>http://a.example/</string></value></member></struct></value>
        </data></array></value></member>
        <member><name>count</name><value><int>1</int></value></member>
      </struct>`,
    );
    expect(value).toEqual({ pings: [{ pingURL: 'http://a.example/' }], count: 1 });
  });

  it('keeps __proto__ and constructor members as plain data, polluting nothing', () => {
    const value = firstParam(
      `<struct>
        <member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member>
        <member><name>constructor</name><value><struct><member><name>prototype</name><value>x</value></member></struct></value></member>
      </struct>`,
    ) as Record<string, XmlRpcValue>;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(value['__proto__']).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(value.toString).toBeUndefined();
  });

  it('lets a later duplicate member win', () => {
    expect(firstParam('<struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct>')).toEqual({ a: '2' });
  });

  it('reads a call without params', () => {
    expect(parseMethodCall('<methodCall><methodName>demo.sayHello</methodName></methodCall>', limits)).toEqual({ methodName: 'demo.sayHello', params: [] });
  });

  it('ignores comments and the XML declaration, and a byte order mark', () => {
    const body = `\uFEFF<?xml version="1.0" encoding="UTF-8"?><!-- hi --><methodCall><methodName>a.b</methodName><!-- x --></methodCall>`;
    expect(parseMethodCall(body, limits).methodName).toBe('a.b');
  });

  it('decodes a Buffer in the charset its prolog names', () => {
    const text = '<?xml version="1.0" encoding="iso-8859-1"?><methodCall><methodName>a</methodName><params><param><value>Grüße</value></param></params></methodCall>';
    expect(parseMethodCall(iconv.encode(text, 'latin1'), limits).params).toEqual(['Grüße']);
  });

  it('decodes a Buffer in the charset of its Content-Type', () => {
    const text = '<methodCall><methodName>a</methodName><params><param><value>„Köln“ – 2008</value></param></params></methodCall>';
    const body = iconv.encode(text, 'windows-1252');
    expect(parseMethodCall(body, { ...limits, contentType: 'text/xml; charset=windows-1252' }).params).toEqual(['„Köln“ – 2008']);
  });
});

describe('parseMethodCall refusals', () => {
  it('refuses the billion laughs before expanding anything', () => {
    const lols = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
    const body = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol0 "lol">
 ${lols}
]>
<methodCall><methodName>pingback.ping</methodName><params><param><value>&lol9;</value></param></params></methodCall>`;
    const err = parseError(() => parseMethodCall(body, limits));
    expect(err.faultCode).toBe(-32700);
    expect(err.message).toMatch(/DOCTYPE/);
  });

  it('refuses an external entity', () => {
    const body = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>a</methodName><params><param><value>&xxe;</value></param></params></methodCall>`;
    expect(parseError(() => parseMethodCall(body, limits)).message).toMatch(/DOCTYPE/);
  });

  it('refuses any DOCTYPE, even an empty one', () => {
    const body = '<!DOCTYPE methodCall><methodCall><methodName>a</methodName></methodCall>';
    expect(parseError(() => parseMethodCall(body, limits)).faultCode).toBe(-32700);
  });

  it('refuses an entity reference that is not one of the five predefined', () => {
    const err = parseError(() => parseMethodCall(param('<string>&nbsp;</string>'), limits));
    expect(err.faultCode).toBe(-32700);
    expect(err.message).toMatch(/undefined entity/);
  });

  it('refuses a body over the size limit before parsing it', () => {
    const body = param(`<string>${'x'.repeat(2000)}</string>`);
    const err = parseError(() => parseMethodCall(body, { maxBytes: 1000 }));
    expect(err.faultCode).toBe(-32700);
    expect(err.message).toMatch(/more than the 1000 allowed/);
  });

  it('counts the size in bytes, not characters', () => {
    const body = param(`<string>${'ü'.repeat(450)}</string>`);
    expect(body.length).toBeLessThan(1000);
    expect(() => parseMethodCall(body, { maxBytes: 1000 })).toThrow(/more than the 1000 allowed/);
  });

  it('refuses nesting deeper than the limit', () => {
    const depth = 40;
    const nested = `${'<array><data><value>'.repeat(depth)}x${'</value></data></array>'.repeat(depth)}`;
    const err = parseError(() => parseMethodCall(param(nested), limits));
    expect(err.faultCode).toBe(-32700);
    expect(err.message).toMatch(/deeper than 64/);
    expect(() => parseMethodCall(param(nested), { ...limits, maxDepth: 200 })).not.toThrow();
  });

  it.each([
    ['truncated XML', '<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value>'],
    ['mismatched tags', '<methodCall><methodName>a</methodCall></methodName>'],
    ['two roots', '<methodCall><methodName>a</methodName></methodCall><methodCall/>'],
    ['an HTML page', '<!doctype html><html><head><title>Blog</title></head><body><p>Hello<br></body></html>'],
    ['plain text', 'XML-RPC server accepts POST requests only.'],
    ['an empty body', ''],
  ])('refuses %s as not well formed (-32700)', (_name, body) => {
    expect(parseError(() => parseMethodCall(body, limits)).faultCode).toBe(-32700);
  });

  it.each([
    ['another root element', '<methodResponse><params/></methodResponse>'],
    ['no methodName', '<methodCall><params/></methodCall>'],
    ['an empty methodName', '<methodCall><methodName> </methodName></methodCall>'],
    ['a method name with spaces', '<methodCall><methodName>pingback ping</methodName></methodCall>'],
    ['text between params', call('stray<param><value>a</value></param>')],
    ['a param without a value', call('<param></param>')],
    ['a param with two values', call('<param><value>a</value><value>b</value></param>')],
    ['an unknown type', call('<param><value><float>1.0</float></value></param>')],
    ['two type elements in one value', call('<param><value><int>1</int><int>2</int></value></param>')],
    ['an int that is not a number', call('<param><value><int>12abc</int></value></param>')],
    ['an int out of range', call('<param><value><int>123456789012345678901</int></value></param>')],
    ['a boolean other than 0 or 1', call('<param><value><boolean>true</boolean></value></param>')],
    ['a double that is not a number', call('<param><value><double>NaN</double></value></param>')],
    ['a bad date', call('<param><value><dateTime.iso8601>yesterday</dateTime.iso8601></value></param>')],
    ['a month that does not exist', call('<param><value><dateTime.iso8601>20081314T10:00:00</dateTime.iso8601></value></param>')],
    ['bad base64', call('<param><value><base64>not base64!</base64></value></param>')],
    ['an array without data', call('<param><value><array><value>a</value></array></value></param>')],
    ['a member without a name', call('<param><value><struct><member><value>a</value></member></struct></value></param>')],
    ['markup inside a string', call('<param><value><string>a<b>c</b></string></value></param>')],
  ])('refuses %s as not XML-RPC (-32600)', (_name, body) => {
    expect(parseError(() => parseMethodCall(body, limits)).faultCode).toBe(-32600);
  });
});

describe('parseMethodResponse', () => {
  it('reads a result as WordPress (IXR) writes it, whitespace included', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<methodResponse>
  <params>
    <param>
      <value>
      <array><data>
  <value><string>http://planetsab.example/2008/11/exkurs/</string></value>
</data></array>
      </value>
    </param>
  </params>
</methodResponse>

`;
    expect(parseMethodResponse(body, limits)).toEqual({ kind: 'result', value: ['http://planetsab.example/2008/11/exkurs/'] });
  });

  it('reads a fault, including WordPress’s masked code 0 with an empty message', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<methodResponse>
  <fault>
    <value>
      <struct>
        <member>
          <name>faultCode</name>
          <value><int>0</int></value>
        </member>
        <member>
          <name>faultString</name>
          <value><string></string></value>
        </member>
      </struct>
    </value>
  </fault>
</methodResponse>
`;
    expect(parseMethodResponse(body, limits)).toEqual({ kind: 'fault', faultCode: 0, faultString: '' });
  });

  it('reads a fault whose message is an untyped value and takes a missing message as empty', () => {
    expect(parseMethodResponse(serializeFault(-32601, 'no such method'), limits)).toEqual({ kind: 'fault', faultCode: -32601, faultString: 'no such method' });
    const bare = '<methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>33</i4></value></member></struct></value></fault></methodResponse>';
    expect(parseMethodResponse(bare, limits)).toEqual({ kind: 'fault', faultCode: 33, faultString: '' });
  });

  it.each([
    ['no value', '<methodResponse><params></params></methodResponse>'],
    ['two values', '<methodResponse><params><param><value>a</value></param><param><value>b</value></param></params></methodResponse>'],
    ['a fault that is not a struct', '<methodResponse><fault><value>oops</value></fault></methodResponse>'],
    ['a fault without a code', '<methodResponse><fault><value><struct><member><name>faultString</name><value>x</value></member></struct></value></fault></methodResponse>'],
    ['a fault code that is a string', '<methodResponse><fault><value><struct><member><name>faultCode</name><value>33</value></member></struct></value></fault></methodResponse>'],
    ['both params and fault', '<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member></struct></value></fault><params/></methodResponse>'],
    ['a methodCall', '<methodCall><methodName>a</methodName></methodCall>'],
  ])('refuses a response with %s', (_name, body) => {
    expect(parseError(() => parseMethodResponse(body, limits)).faultCode).toBe(-32600);
  });

  it('refuses a DOCTYPE in a response too', () => {
    const body = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><methodResponse><params><param><value>&a;</value></param></params></methodResponse>';
    expect(parseError(() => parseMethodResponse(body, limits)).faultCode).toBe(-32700);
  });
});

describe('serialization', () => {
  const samples: [string, XmlRpcValue][] = [
    ['a string with markup characters', 'a & b < c > d ]]> "e" \'f\''],
    ['a German string', 'Grüße aus Köln – „Social Media Camp“ … 😀'],
    ['an empty string', ''],
    ['an integer', 2147483647],
    ['a negative integer', -2147483648],
    ['a double', 3.25],
    ['a large integer, sent as a double', 2 ** 40],
    ['a tiny double', 1.5e-7],
    ['booleans', [true, false]],
    ['a date', new Date('2008-11-14T21:36:00Z')],
    ['bytes', Buffer.from([0, 1, 2, 250, 255])],
    ['null', null],
    ['a WordPress trackback listing', [{ pingTitle: 'Social Media Camp', pingURL: 'http://freitag.example/?p=7', pingIP: '127.0.0.1' }]],
    ['nested arrays and structs', { a: [1, [2, { b: [] }]], c: { d: { e: 'f' } } }],
    ['an empty struct', {}],
  ];

  it.each(samples)('round-trips %s through a call', (_name, value) => {
    const parsed = parseMethodCall(serializeMethodCall('test.echo', [value, 'second']), limits);
    expect(parsed).toEqual({ methodName: 'test.echo', params: [value, 'second'] });
  });

  it.each(samples)('round-trips %s through a response', (_name, value) => {
    expect(parseMethodResponse(serializeMethodResponse(value), limits)).toEqual({ kind: 'result', value });
  });

  it('writes integers as <int> and other numbers as <double>', () => {
    expect(serializeMethodResponse(48)).toContain('<value><int>48</int></value>');
    expect(serializeMethodResponse(0.5)).toContain('<value><double>0.5</double></value>');
    expect(serializeMethodResponse(2 ** 40)).toContain('<double>1099511627776</double>');
    expect(serializeMethodResponse(1e21)).toContain('<double>1000000000000000000000</double>');
  });

  it('writes dates in the spec’s form, in UTC', () => {
    expect(serializeMethodResponse(new Date('2008-11-14T22:36:05+01:00'))).toContain('<dateTime.iso8601>20081114T21:36:05</dateTime.iso8601>');
  });

  it('escapes struct member names and strings', () => {
    const xml = serializeMethodResponse({ 'a<b&c': '</string><int>1</int>' });
    expect(xml).toContain('<name>a&lt;b&amp;c</name>');
    expect(xml).toContain('<string>&lt;/string&gt;&lt;int&gt;1&lt;/int&gt;</string>');
  });

  it('replaces characters XML cannot carry, so the answer stays well-formed', () => {
    const xml = serializeMethodResponse('bell\u0007 nul\u0000 lone\uD800 ok😀');
    expect(parseMethodResponse(xml, limits)).toEqual({ kind: 'result', value: 'bell\uFFFD nul\uFFFD lone\uFFFD ok😀' });
  });

  it('writes a fault that a client reads back', () => {
    const xml = serializeFault(0x11, 'The source URL does not contain a link to the target URL.');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<methodResponse><fault>/);
    expect(parseMethodResponse(xml, limits)).toEqual({ kind: 'fault', faultCode: 17, faultString: 'The source URL does not contain a link to the target URL.' });
  });

  it('refuses values XML-RPC cannot carry', () => {
    expect(() => serializeMethodResponse(Number.NaN)).toThrow(TypeError);
    expect(() => serializeMethodResponse(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => serializeMethodResponse(new Date('nope'))).toThrow(TypeError);
    expect(() => serializeMethodCall('bad name', [])).toThrow(TypeError);
    expect(() => serializeFault(1.5, 'x')).toThrow(TypeError);
  });
});
