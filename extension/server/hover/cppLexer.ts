// A small C++ lexer: enough to find identifiers, string literals and punctuation with their offsets,
// skipping comments. It does not preprocess; the hovers only need to know what the text at a
// position is (an identifier, a string literal inside asm(...), a comment).

export type TokenKind = 'ident' | 'string' | 'char' | 'number' | 'punct' | 'comment';

export interface Token {
  kind: TokenKind;
  /** Offset of the first character in the document. */
  start: number;
  /** Offset one past the last character. */
  end: number;
  text: string;
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;

/** Tokenises C++ source. Comments are kept as 'comment' tokens so callers can tell "inside a comment". */
export function lexCpp(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number) =>
    tokens.push({ kind, start, end, text: text.slice(start, end) });
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      i += 2;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const start = i;
      while (i < n && text[i] !== '\n') i++;
      push('comment', start, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const start = i;
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      push('comment', start, i);
      continue;
    }
    // Raw string literal: R"delim( ... )delim", optionally prefixed (u8R, LR, uR, UR).
    const raw = /^(?:u8|[uUL])?R"([^()\\\s]{0,16})\(/.exec(text.slice(i, i + 24));
    if (raw) {
      const start = i;
      const closing = ')' + raw[1] + '"';
      const close = text.indexOf(closing, i + raw[0].length);
      i = close < 0 ? n : close + closing.length;
      push('string', start, i);
      continue;
    }
    const prefixed = /^(?:u8|[uUL])(?=["'])/.exec(text.slice(i, i + 3));
    if (c === '"' || c === "'" || prefixed) {
      const start = i;
      if (prefixed) i += prefixed[0].length;
      const quote = text[i];
      i++;
      while (i < n && text[i] !== quote) {
        if (text[i] === '\\') i += 2;
        else if (text[i] === '\n')
          break; // unterminated: stop at the line end
        else i++;
      }
      if (i < n && text[i] === quote) i++;
      push(quote === '"' ? 'string' : 'char', start, Math.min(i, n));
      continue;
    }
    if (IDENT_START.test(c)) {
      const start = i;
      while (i < n && IDENT_PART.test(text[i])) i++;
      push('ident', start, i);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const start = i;
      while (i < n && /[0-9A-Za-z_.']/.test(text[i])) {
        if (
          (text[i] === 'e' || text[i] === 'E' || text[i] === 'p' || text[i] === 'P') &&
          (text[i + 1] === '+' || text[i + 1] === '-')
        )
          i++;
        i++;
      }
      push('number', start, i);
      continue;
    }
    push('punct', i, i + 1);
    i++;
  }
  return tokens;
}

/** Index of the token containing `offset` (start <= offset < end, or offset == end for identifiers), or -1. */
export function tokenAt(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid];
    if (offset < t.start) hi = mid - 1;
    else if (offset >= t.end) lo = mid + 1;
    else return mid;
  }
  // A cursor just after an identifier (VS Code reports that position for a word end) counts too.
  if (hi >= 0 && tokens[hi].end === offset && tokens[hi].kind === 'ident') return hi;
  return -1;
}

export interface DecodedLiteral {
  /** The characters the literal contributes to the string. */
  value: string;
  /** For each character of value, the document offset of the source character(s) it came from. */
  offsets: number[];
}

/** Decodes a (non-raw or raw) string literal token into its characters and their source offsets. */
export function decodeStringLiteral(token: Token): DecodedLiteral {
  const text = token.text;
  const value: string[] = [];
  const offsets: number[] = [];
  const raw = /^(?:u8|[uUL])?R"([^()\\\s]*)\(/.exec(text);
  if (raw) {
    const from = raw[0].length;
    const to = text.length - (raw[1].length + 2);
    for (let k = from; k < to; k++) {
      value.push(text[k]);
      offsets.push(token.start + k);
    }
    return { value: value.join(''), offsets };
  }
  let k = text.indexOf('"') + 1;
  const end = text.endsWith('"') && text.length > 1 ? text.length - 1 : text.length;
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    '"': '"',
    "'": "'",
    '?': '?',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
  };
  while (k < end) {
    const at = token.start + k;
    if (text[k] !== '\\') {
      value.push(text[k]);
      offsets.push(at);
      k++;
      continue;
    }
    const e = text[k + 1];
    if (e === '\n') {
      k += 2;
      continue;
    }
    if (e === '\r') {
      k += text[k + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (e in simple) {
      value.push(simple[e]);
      offsets.push(at);
      k += 2;
      continue;
    }
    if (e === 'x') {
      const m = /^[0-9A-Fa-f]+/.exec(text.slice(k + 2));
      const digits = m ? m[0] : '';
      value.push(String.fromCharCode(parseInt(digits || '0', 16)));
      offsets.push(at);
      k += 2 + digits.length;
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(text.slice(k + 1));
    if (oct) {
      value.push(String.fromCharCode(parseInt(oct[0], 8)));
      offsets.push(at);
      k += 1 + oct[0].length;
      continue;
    }
    value.push(e ?? '');
    offsets.push(at);
    k += 2;
  }
  return { value: value.join(''), offsets };
}
