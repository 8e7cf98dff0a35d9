// A strict XML 1.0 + namespaces reader for tests: saxes rejects anything not well-formed
// (forbidden characters included) and yields a small tree to check required elements against.
import { SaxesParser } from 'saxes';

export interface XmlNode {
  /** Namespace URI, '' for none. */
  uri: string;
  local: string;
  /** Attributes by local name when un-namespaced, by `{uri}local` otherwise. */
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses `text` strictly and returns its root element; throws on the first well-formedness error. */
export function parseStrictXml(text: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('doctype', () => {
    throw new Error('unexpected DOCTYPE');
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const attr of Object.values(tag.attributes)) {
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
      attributes[attr.uri ? `{${attr.uri}}${attr.local}` : attr.local] = attr.value;
    }
    const node: XmlNode = { uri: tag.uri ?? '', local: tag.local ?? tag.name, attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (chunk) => {
    const top = stack[stack.length - 1];
    if (top) top.text += chunk;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(text).close();
  if (!root) throw new Error('no root element');
  return root;
}

/** Returns the child elements of `node` with the given namespace and local name. */
export function childrenOf(node: XmlNode, uri: string, local: string): XmlNode[] {
  return node.children.filter((child) => child.uri === uri && child.local === local);
}

/** Returns the one child with that name; throws when there is none or more than one. */
export function onlyChild(node: XmlNode, uri: string, local: string): XmlNode {
  const found = childrenOf(node, uri, local);
  if (found.length !== 1) throw new Error(`expected one ${local} in ${node.local}, found ${found.length}`);
  return found[0]!;
}

export const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';
