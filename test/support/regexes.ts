/**
 * Every regular expression the shipped code uses, found with the TypeScript parser (not by
 * scraping text), and the adversarial inputs that make a backtracking pattern slow: long runs
 * of the characters each quantifier repeats, after the text that leads up to it, ending in a
 * character that makes the match fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface FoundRegex {
  /** `file:line` in the source. */
  at: string;
  re: RegExp;
}

export interface Inventory {
  literals: FoundRegex[];
  /** `new RegExp(expr)` whose pattern is not made of constants: built at run time. */
  dynamic: string[];
}

/** The .ts files under the given folders of the project (src/, parsers/). */
export function sourceFiles(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.ts') && !ent.name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const d of dirs) walk(join(ROOT, d));
  return out.sort();
}

/** The string an expression always has: literals, `+` and templates of them, and `const`s bound to those in the same file. */
function fold(n: ts.Expression, consts: Map<string, ts.Expression>, seen = new Set<string>()): string | undefined {
  if (ts.isStringLiteralLike(n)) return n.text;
  if (ts.isParenthesizedExpression(n)) return fold(n.expression, consts, seen);
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const a = fold(n.left, consts, seen);
    const b = a === undefined ? undefined : fold(n.right, consts, seen);
    return b === undefined ? undefined : a! + b;
  }
  if (ts.isTemplateExpression(n)) {
    let out = n.head.text;
    for (const span of n.templateSpans) {
      const v = fold(span.expression, consts, seen);
      if (v === undefined) return undefined;
      out += v + span.literal.text;
    }
    return out;
  }
  if (ts.isIdentifier(n) && consts.has(n.text) && !seen.has(n.text)) return fold(consts.get(n.text)!, consts, new Set([...seen, n.text]));
  // `LITERAL.source`: a constant pattern's text, joined into another.
  if (ts.isPropertyAccessExpression(n) && n.name.text === 'source' && ts.isIdentifier(n.expression)) {
    const re = consts.get(n.expression.text);
    if (re?.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = (re as ts.RegularExpressionLiteral).text;
      return text.slice(1, text.lastIndexOf('/'));
    }
  }
  return undefined;
}

export function collectRegexes(files: string[]): Inventory {
  const inv: Inventory = { literals: [], dynamic: [] };
  for (const file of files) {
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${relative(ROOT, file)}:${src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1}`;
    const consts = new Map<string, ts.Expression>();
    const collectConsts = (n: ts.Node): void => {
      if (ts.isVariableDeclarationList(n) && n.flags & ts.NodeFlags.Const) {
        for (const d of n.declarations) if (ts.isIdentifier(d.name) && d.initializer) consts.set(d.name.text, d.initializer);
      }
      ts.forEachChild(n, collectConsts);
    };
    collectConsts(src);
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = (n as ts.RegularExpressionLiteral).text;
        const end = text.lastIndexOf('/');
        inv.literals.push({ at: where(n), re: new RegExp(text.slice(1, end), text.slice(end + 1)) });
      } else if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && ts.isIdentifier(n.expression) && n.expression.text === 'RegExp') {
        const [pattern, flags] = n.arguments ?? [];
        const source = pattern && fold(pattern, consts);
        const flagText = flags ? fold(flags, consts) : '';
        if (source !== undefined && flagText !== undefined) {
          inv.literals.push({ at: where(n), re: new RegExp(source, flagText) });
        } else {
          inv.dynamic.push(where(n));
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return inv;
}

// A small reader of JavaScript regex syntax: enough to find what each quantifier repeats.

type Node =
  | { t: 'chars'; chars: string[]; q?: Quant }
  | { t: 'group'; alts: Node[][]; q?: Quant; look: boolean }
  | { t: 'assert' };
interface Quant { min: number; max: number }

/** Characters tried where a class or `.` allows them; a negated class keeps those it does not exclude. */
const POOL = ['a', 'Z', '0', '_', ' ', '\t', '.', '-', '/', ':', '=', '"', "'", '\\', '(', ')', '{', '[', ',', '@', '<', '#', '\u00e9'];

const CLASS_ESCAPES: Record<string, string[]> = {
  d: ['0', '7'], w: ['a', '0', '_'], s: [' ', '\t'],
  D: ['a', ' '], W: [' ', '-', '"'], S: ['a', '0', '-'],
};

function parse(source: string): Node[][] {
  let i = 0;
  const escapeChars = (inClass: boolean): string[] => {
    const c = source[i++];
    if (c in CLASS_ESCAPES) return CLASS_ESCAPES[c];
    if (c === 'n') return ['\n'];
    if (c === 'r') return ['\r'];
    if (c === 't') return ['\t'];
    if (c === 'f' || c === 'v' || c === '0') return [' '];
    if (c === 'x') { i += 2; return [String.fromCharCode(parseInt(source.slice(i - 2, i), 16))]; }
    if (c === 'u') {
      if (source[i] === '{') { const e = source.indexOf('}', i); const cp = parseInt(source.slice(i + 1, e), 16); i = e + 1; return [String.fromCodePoint(cp)]; }
      i += 4; return [String.fromCharCode(parseInt(source.slice(i - 4, i), 16))];
    }
    if ((c === 'p' || c === 'P') && source[i] === '{') { i = source.indexOf('}', i) + 1; return ['a', '\u00e9']; }
    if (c === 'k' && source[i] === '<') { i = source.indexOf('>', i) + 1; return ['a']; }
    if (!inClass && /[1-9]/.test(c)) { while (/\d/.test(source[i] ?? '')) i++; return ['a']; }
    if (inClass && c === 'b') return ['\b'];
    return [c];
  };
  const klass = (): string[] => {
    const negated = source[i] === '^';
    if (negated) i++;
    const members: string[] = [];
    const tests: ((ch: string) => boolean)[] = [];
    let first = true;
    while (i < source.length && (source[i] !== ']' || first)) {
      first = false;
      let lo: string[];
      if (source[i] === '\\') { i++; lo = escapeChars(true); } else lo = [source[i++]];
      if (source[i] === '-' && source[i + 1] !== ']' && lo.length === 1) {
        i++;
        const hi = source[i] === '\\' ? (i++, escapeChars(true)) : [source[i++]];
        const a = lo[0].codePointAt(0)!;
        const b = hi[0].codePointAt(0)!;
        members.push(lo[0], String.fromCodePoint(b), String.fromCodePoint((a + b) >> 1));
        tests.push((ch) => ch.codePointAt(0)! >= a && ch.codePointAt(0)! <= b);
      } else {
        members.push(...lo);
        const escaped = source[i - 1];
        const cls = source[i - 2] === '\\' && escaped in CLASS_ESCAPES ? new RegExp(`\\${escaped}`) : undefined;
        tests.push(cls ? (ch) => cls.test(ch) : (ch) => lo.includes(ch));
      }
    }
    i++; // ]
    if (!negated) return [...new Set(members)];
    return POOL.filter((ch) => !tests.some((t) => t(ch)));
  };
  const quant = (): Quant | undefined => {
    const c = source[i];
    let q: Quant | undefined;
    if (c === '*') { i++; q = { min: 0, max: Infinity }; }
    else if (c === '+') { i++; q = { min: 1, max: Infinity }; }
    else if (c === '?') { i++; q = { min: 0, max: 1 }; }
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      q = { min: Number(m[1]), max: m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]) };
    }
    if (q && source[i] === '?') i++; // lazy
    return q;
  };
  const alternatives = (): Node[][] => {
    const alts: Node[][] = [[]];
    while (i < source.length && source[i] !== ')') {
      const c = source[i];
      let node: Node;
      if (c === '|') { i++; alts.push([]); continue; }
      if (c === '(') {
        i++;
        let look = false;
        if (source[i] === '?') {
          const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(source.slice(i))!;
          look = m[0] !== '?:' && !m[0].startsWith('?<') || m[0] === '?<=' || m[0] === '?<!';
          i += m[0].length;
        }
        const inner = alternatives();
        i++; // )
        node = { t: 'group', alts: inner, look };
      } else if (c === '[') { i++; node = { t: 'chars', chars: klass() }; }
      else if (c === '.') { i++; node = { t: 'chars', chars: ['a', ' ', '"'] }; }
      else if (c === '^' || c === '$') { i++; node = { t: 'assert' }; }
      else if (c === '\\') {
        i++;
        if (source[i] === 'b' || source[i] === 'B') { i++; node = { t: 'assert' }; }
        else node = { t: 'chars', chars: escapeChars(false) };
      } else { i++; node = { t: 'chars', chars: [c] }; }
      if (node.t !== 'assert') node.q = quant();
      alts[alts.length - 1].push(node);
    }
    return alts;
  };
  return alternatives();
}

/** One short text a node matches (its first choice), `min` times over. */
function witness(n: Node): string {
  if (n.t === 'assert') return '';
  const once = n.t === 'chars' ? n.chars[0] ?? '' : n.look ? '' : n.alts[0].map(witness).join('');
  return once.repeat(Math.max(n.q ? n.q.min : 1, n.q && n.q.max > 0 ? 1 : 0));
}

/** The characters a node can start with or repeat. */
function charsOf(n: Node): string[] {
  if (n.t === 'chars') return n.chars;
  if (n.t === 'group' && !n.look) return n.alts.flatMap((a) => a.flatMap(charsOf));
  return [];
}

/** A repeat long enough to backtrack on: unbounded, or bounded high. */
const repeats = (n: Node) => n.t !== 'assert' && n.q !== undefined && n.q.max >= 64;

const FAILS = ['', '!', '\n'];

/**
 * Adversarial lines of about `size` characters for a pattern: for each quantifier that repeats
 * a lot, a run of each character it repeats (alone, after the text leading up to it, with a
 * failing end), runs alternating the characters of neighbouring repeats, and the lead-up text
 * repeated (many start positions, each scanning far).
 */
export function adversarialInputs(re: RegExp, size = 100_000): string[] {
  const out = new Set<string>();
  const add = (prefix: string, unit: string) => {
    if (!unit) return;
    const run = unit.repeat(Math.ceil(Math.max(1, size - prefix.length) / unit.length));
    for (const f of FAILS) out.add(prefix + run + f);
  };
  const walk = (seqs: Node[][]) => {
    for (const seq of seqs) {
      for (let k = 0; k < seq.length; k++) {
        const n = seq[k];
        if (n.t === 'group') walk(n.alts);
        if (!repeats(n)) continue;
        const lead = seq.slice(0, k).map(witness).join('');
        const chars = [...new Set(charsOf(n))].slice(0, 8);
        for (const c of chars) {
          add('', c);
          add(lead, c);
          add('', lead + c);
        }
        // The next repeat that can follow without a fixed character in between.
        for (let j = k + 1; j < seq.length; j++) {
          const m = seq[j];
          if (repeats(m)) {
            for (const a of chars.slice(0, 3)) for (const b of [...new Set(charsOf(m))].slice(0, 3)) add(lead, a + b);
            break;
          }
          if (m.t !== 'assert' && !(m.q && m.q.min === 0)) break;
        }
        if (n.t === 'group') for (const alt of n.alts) add(lead, alt.map(witness).join(''));
      }
    }
  };
  walk(parse(re.source));
  return [...out];
}

/** Runs a pattern over a whole line the way the code does: every match for /g, the first otherwise. */
export function scan(re: RegExp, text: string): void {
  re.lastIndex = 0;
  if (re.global || re.sticky) text.replace(re, '');
  else re.exec(text);
}
