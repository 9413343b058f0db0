// Test support: a strict reader for the small XML subset JUnit reports use (a declaration, elements, attributes, text, the five predefined entities and character references) that throws on anything not well formed, so a test that parses a report proves it is valid XML.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, entities decoded. */
  readonly text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`a raw "<" in ${where}`);
  return raw.replace(/&([^;&]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`an unterminated "&" in ${where}`);
    if (ENTITIES[body] !== undefined) return ENTITIES[body];
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (numeric === null) throw new Error(`an unknown entity &${body}; in ${where}`);
    return String.fromCodePoint(numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]));
  });
}

/** Parses the document and returns its root element; throws when it is not well formed. */
export function parseWellFormedXml(text: string): XmlElement {
  let at = 0;
  const declaration = /^<\?xml\s[^?]*\?>\s*/.exec(text);
  if (declaration !== null) at = declaration[0].length;

  const element = (): XmlElement => {
    if (text[at] !== '<') throw new Error(`expected an element at offset ${at}`);
    at++;
    const name = NAME.exec(text.slice(at))?.[0];
    if (name === undefined) throw new Error(`expected an element name at offset ${at}`);
    at += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const space = /^\s*/.exec(text.slice(at))![0];
      at += space.length;
      if (text.startsWith('/>', at)) {
        at += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (text[at] === '>') {
        at++;
        break;
      }
      if (space.length === 0) throw new Error(`expected white space before an attribute of <${name}> at offset ${at}`);
      const attribute = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(text.slice(at));
      if (attribute === null) throw new Error(`a malformed attribute of <${name}> at offset ${at}`);
      const key = attribute[1]!;
      if (key in attributes) throw new Error(`attribute ${key} of <${name}> appears twice`);
      attributes[key] = decode(attribute[3] ?? attribute[4]!, `attribute ${key} of <${name}>`);
      at += attribute[0].length;
    }
    const children: XmlElement[] = [];
    let own = '';
    for (;;) {
      const next = text.indexOf('<', at);
      if (next < 0) throw new Error(`<${name}> is never closed`);
      own += decode(text.slice(at, next), `the text of <${name}>`);
      at = next;
      if (text.startsWith('</', at)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(text.slice(at));
        if (close === null || close[1] !== name) throw new Error(`<${name}> is closed by ${text.slice(at, at + 20)}`);
        at += close[0].length;
        return { name, attributes, children, text: own };
      }
      children.push(element());
    }
  };

  const root = element();
  if (text.slice(at).trim() !== '') throw new Error(`content after the root element at offset ${at}`);
  return root;
}

/** Every element named `name` in the tree, in document order. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((child) => elementsNamed(child, name))];
}
