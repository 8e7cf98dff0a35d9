// The XML-RPC codec: bytes of a methodCall or methodResponse to values and back, for Palaver's
// listing client and its /xmlrpc pingback server. It owns the parsing limits (size before
// parsing, nesting depth, no DTD at all); it never does I/O and knows no method's meaning.
import { SaxesParser } from 'saxes';
import { decodeText } from '../reader/decode.ts';

/**
 * A value XML-RPC can carry. Integers are sent as <int> (when they fit 32 bits), other numbers
 * as <double>; Buffer is <base64>; null is <nil/> (the common extension, which WordPress's IXR
 * reads too). Structs come back with a null prototype so member names never reach Object.prototype.
 */
export type XmlRpcValue = string | number | boolean | Date | Buffer | null | XmlRpcValue[] | { [name: string]: XmlRpcValue };

export interface XmlRpcMethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

export type XmlRpcMethodResponse =
  | { kind: 'result'; value: XmlRpcValue }
  | { kind: 'fault'; faultCode: number; faultString: string };

export interface XmlRpcParseOptions {
  /** Refuse bodies larger than this many bytes before parsing anything. */
  maxBytes: number;
  /** Most elements open at once; each array or struct level costs three. Default 64. */
  maxDepth?: number;
  /** Content-Type of a Buffer body, for its charset; strings are taken as already decoded. */
  contentType?: string | null;
}

/**
 * A body that is not usable XML-RPC. `faultCode` is what a server answers, from the
 * specs.xmlrpc-epi fault code interoperability list: -32700 not well formed (DOCTYPE, size and
 * depth refusals included), -32600 well-formed XML that is not XML-RPC.
 */
export class XmlRpcParseError extends Error {
  readonly faultCode: -32700 | -32600;
  constructor(faultCode: -32700 | -32600, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XmlRpcParseError';
    this.faultCode = faultCode;
  }
}

const defaultMaxDepth = 64;

interface XmlElement {
  name: string;
  children: XmlElement[];
  /** Character data directly inside this element (CDATA included), in document order. */
  text: string;
}

function notXmlRpc(message: string): XmlRpcParseError {
  return new XmlRpcParseError(-32600, `not XML-RPC: ${message}`);
}

function readTree(body: string | Buffer, options: XmlRpcParseOptions): XmlElement {
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (size > options.maxBytes) {
    throw new XmlRpcParseError(-32700, `the XML-RPC body is ${size} bytes, more than the ${options.maxBytes} allowed`);
  }
  let text = typeof body === 'string' ? body : decodeText(body, options.contentType ?? null, 'xml').text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const maxDepth = options.maxDepth ?? defaultMaxDepth;

  // saxes never expands entities beyond the five predefined ones and numeric references: an
  // undeclared &name; is a well-formedness error. A DOCTYPE is refused outright so that no
  // internal subset (billion laughs, external entities) is even looked at by a later reader.
  const parser = new SaxesParser({ position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  parser.on('doctype', () => {
    throw new XmlRpcParseError(-32700, 'XML-RPC must not carry a DOCTYPE or entity declarations');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) {
      throw new XmlRpcParseError(-32700, `the XML-RPC body nests deeper than ${maxDepth} elements`);
    }
    const element: XmlElement = { name: tag.name, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string) => {
    const current = stack[stack.length - 1];
    if (current) current.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof XmlRpcParseError) throw err;
    const reason = err instanceof Error ? err.message.replace(/^undefined:\s*/, '') : String(err);
    throw new XmlRpcParseError(-32700, `the XML-RPC body is not well-formed XML: ${reason}`, { cause: err });
  }
  if (root === null) throw new XmlRpcParseError(-32700, 'the XML-RPC body has no root element');
  return root;
}

// Structure elements may only hold whitespace between their children.
function expectOnlyElements(element: XmlElement): void {
  if (/\S/.test(element.text)) throw notXmlRpc(`text inside <${element.name}>`);
}

function onlyChild(element: XmlElement, name: string): XmlElement {
  expectOnlyElements(element);
  const [child, extra] = element.children;
  if (!child || extra || child.name !== name) throw notXmlRpc(`<${element.name}> must hold exactly one <${name}>`);
  return child;
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  expectOnlyElements(element);
  for (const child of element.children) {
    if (child.name !== name) throw notXmlRpc(`<${child.name}> inside <${element.name}>, expected <${name}>`);
  }
  return element.children;
}

function leafText(element: XmlElement): string {
  if (element.children.length) throw notXmlRpc(`<${element.name}> must not contain elements`);
  return element.text;
}

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

function readValue(value: XmlElement): XmlRpcValue {
  // XML-RPC spec: a <value> without a type element is a string, whitespace and all.
  if (value.children.length === 0) return value.text;
  const typed = onlyChild(value, value.children[0]?.name ?? '');
  switch (typed.name) {
    case 'string':
      return leafText(typed);
    case 'int':
    case 'i4': {
      const raw = leafText(typed).trim();
      if (!/^[+-]?\d{1,20}$/.test(raw)) throw notXmlRpc(`<${typed.name}>${raw.slice(0, 40)}</${typed.name}> is not an integer`);
      const n = Number(raw);
      // The spec says 32 bits; PHP's IXR writes 64-bit ints as <int>, so accept what is exact.
      if (!Number.isSafeInteger(n)) throw notXmlRpc(`the integer ${raw} is out of range`);
      return n;
    }
    case 'boolean': {
      const raw = leafText(typed).trim();
      if (raw !== '0' && raw !== '1') throw notXmlRpc(`<boolean> must be 0 or 1, not "${raw.slice(0, 40)}"`);
      return raw === '1';
    }
    case 'double': {
      const raw = leafText(typed).trim();
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw notXmlRpc(`<double>${raw.slice(0, 40)}</double> is not a number`);
      const n = Number(raw);
      if (!Number.isFinite(n)) throw notXmlRpc(`the double ${raw.slice(0, 40)} is out of range`);
      return n;
    }
    case 'dateTime.iso8601':
      return readDateTime(leafText(typed).trim());
    case 'base64': {
      const raw = leafText(typed).replace(/\s+/g, '');
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(raw)) throw notXmlRpc('<base64> is not valid base64');
      return Buffer.from(raw, 'base64');
    }
    case 'nil':
      if (leafText(typed).trim()) throw notXmlRpc('<nil/> must be empty');
      return null;
    case 'array':
      return childrenNamed(onlyChild(typed, 'data'), 'value').map(readValue);
    case 'struct': {
      const out = Object.create(null) as { [name: string]: XmlRpcValue };
      for (const member of childrenNamed(typed, 'member')) {
        expectOnlyElements(member);
        const name = member.children.find((c) => c.name === 'name');
        const memberValue = member.children.find((c) => c.name === 'value');
        if (!name || !memberValue || member.children.length !== 2) throw notXmlRpc('a <member> must hold one <name> and one <value>');
        // Later duplicates win, as in every common implementation.
        out[leafText(name)] = readValue(memberValue);
      }
      return out;
    }
    default:
      throw notXmlRpc(`unknown value type <${typed.name}>`);
  }
}

// The spec's example is 19980717T14:08:55 without a zone; senders mean UTC or say otherwise
// (WordPress writes a Z on its *_gmt fields), and the dashed ISO 8601 form is common too.
const dateTimePattern = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

function readDateTime(raw: string): Date {
  const m = dateTimePattern.exec(raw);
  if (!m) throw notXmlRpc(`<dateTime.iso8601>${raw.slice(0, 40)}</dateTime.iso8601> is not a date`);
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction.slice(0, 4)}${offset}`);
  if (Number.isNaN(date.getTime())) throw notXmlRpc(`<dateTime.iso8601>${raw}</dateTime.iso8601> is not a date`);
  return date;
}

function readParams(params: XmlElement | undefined): XmlRpcValue[] {
  if (!params) return [];
  return childrenNamed(params, 'param').map((param) => readValue(onlyChild(param, 'value')));
}

/** Parses an XML-RPC methodCall; throws XmlRpcParseError for anything else. */
export function parseMethodCall(body: string | Buffer, options: XmlRpcParseOptions): XmlRpcMethodCall {
  const root = readTree(body, options);
  if (root.name !== 'methodCall') throw notXmlRpc(`the root element is <${root.name}>, expected <methodCall>`);
  expectOnlyElements(root);
  const [nameElement, paramsElement, extra] = root.children;
  if (!nameElement || nameElement.name !== 'methodName') throw notXmlRpc('<methodCall> must start with <methodName>');
  if (extra || (paramsElement && paramsElement.name !== 'params')) throw notXmlRpc('<methodCall> holds only <methodName> and <params>');
  const methodName = leafText(nameElement).trim();
  // Spec: "identifier characters, upper and lower-case A-Z, the numeric characters, 0-9,
  // underscore, dot, colon and slash".
  if (!/^[A-Za-z0-9_.:/]+$/.test(methodName)) throw notXmlRpc('the method name is empty or has characters the spec does not allow');
  return { methodName, params: readParams(paramsElement) };
}

/** Parses an XML-RPC methodResponse into its one result or its fault; throws XmlRpcParseError otherwise. */
export function parseMethodResponse(body: string | Buffer, options: XmlRpcParseOptions): XmlRpcMethodResponse {
  const root = readTree(body, options);
  if (root.name !== 'methodResponse') throw notXmlRpc(`the root element is <${root.name}>, expected <methodResponse>`);
  const [child] = root.children;
  if (child?.name === 'fault') {
    const fault = readValue(onlyChild(onlyChild(root, 'fault'), 'value'));
    if (fault === null || typeof fault !== 'object' || Array.isArray(fault) || fault instanceof Date || Buffer.isBuffer(fault)) {
      throw notXmlRpc('a fault must be a struct');
    }
    const { faultCode, faultString = '' } = fault;
    if (typeof faultCode !== 'number' || !Number.isInteger(faultCode)) throw notXmlRpc('a fault needs an integer faultCode');
    if (typeof faultString !== 'string') throw notXmlRpc('a fault needs a string faultString');
    return { kind: 'fault', faultCode, faultString };
  }
  const params = readParams(onlyChild(root, 'params'));
  if (params.length !== 1) throw notXmlRpc(`a response carries exactly one value, this one ${params.length}`);
  return { kind: 'result', value: params[0] as XmlRpcValue };
}

// ---------------------------------------------------------------------------------------------

// Characters XML 1.0 cannot carry at all (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/F)
// become U+FFFD, so a foreign title can never make Palaver's own answer ill-formed.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeText(text: string): string {
  return text.replace(notXmlChar, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

// The spec's double has no exponent; integers beyond 32 bits are sent as doubles.
function formatDouble(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return Number.isInteger(value) ? BigInt(value).toString() : value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
}

function valueXml(value: XmlRpcValue): string {
  if (value === null) return '<nil/>';
  if (typeof value === 'string') return `<string>${escapeText(value)}</string>`;
  if (typeof value === 'boolean') return `<boolean>${value ? 1 : 0}</boolean>`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`XML-RPC cannot carry the number ${value}`);
    if (Number.isInteger(value) && value >= int32Min && value <= int32Max) return `<int>${value}</int>`;
    return `<double>${formatDouble(value)}</double>`;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('XML-RPC cannot carry an invalid Date');
    // The spec's form without a zone, in UTC: IXR, Python and Perl clients all read it.
    const d = value;
    return `<dateTime.iso8601>${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}</dateTime.iso8601>`;
  }
  if (Buffer.isBuffer(value)) return `<base64>${value.toString('base64')}</base64>`;
  if (Array.isArray(value)) return `<array><data>${value.map((v) => `<value>${valueXml(v)}</value>`).join('')}</data></array>`;
  const members = Object.keys(value)
    .map((name) => `<member><name>${escapeText(name)}</name><value>${valueXml(value[name] as XmlRpcValue)}</value></member>`)
    .join('');
  return `<struct>${members}</struct>`;
}

const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Serializes a methodCall as UTF-8 XML text. Throws TypeError for NaN, Infinity or invalid dates. */
export function serializeMethodCall(methodName: string, params: readonly XmlRpcValue[]): string {
  if (!/^[A-Za-z0-9_.:/]+$/.test(methodName)) throw new TypeError(`"${methodName}" is not a valid XML-RPC method name`);
  const paramsXml = params.map((p) => `<param><value>${valueXml(p)}</value></param>`).join('');
  return `${prolog}<methodCall><methodName>${methodName}</methodName><params>${paramsXml}</params></methodCall>\n`;
}

/** Serializes a successful methodResponse carrying one value, as UTF-8 XML text. */
export function serializeMethodResponse(value: XmlRpcValue): string {
  return `${prolog}<methodResponse><params><param><value>${valueXml(value)}</value></param></params></methodResponse>\n`;
}

/** Serializes a fault methodResponse with an integer code and a message. */
export function serializeFault(faultCode: number, faultString: string): string {
  if (!Number.isInteger(faultCode)) throw new TypeError('an XML-RPC fault code is an integer');
  const struct = `<struct><member><name>faultCode</name><value><int>${faultCode}</int></value></member><member><name>faultString</name><value><string>${escapeText(faultString)}</string></value></member></struct>`;
  return `${prolog}<methodResponse><fault><value>${struct}</value></fault></methodResponse>\n`;
}
