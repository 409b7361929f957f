/**
 * What an exception says: its first application frame, the signature that groups it the way
 * an error tracker would, and whether its text points at a data-type or parsing problem.
 */
import type { ExceptionEvent, ExceptionInfo } from './model.js';
import { memo } from './memo.js';
import { clip, redact } from './redact.js';

/** Frames from runtimes and libraries: the first frame that is not one of these is the application's. */
const LIBRARY_FRAME = /node:|node_modules|internal\/|\(native\)|\(<anonymous>\)|dist-packages|site-packages|\/usr\/lib\/python|\/usr\/lib\/go|\/usr\/local\/go|\bruntime\/|\bnet\/http\.|\bat (?:java|javax|jdk|sun|kotlin|org\.springframework|org\.apache|org\.eclipse\.jetty|io\.undertow|reactor)\.|\bat (?:System|Microsoft)\./;

const JS_FRAME = /^\s*at\s+(\S(?:.*\S)?)/; // to the last non-space, each run read once: `(.+?)\s*$` is quadratic on long blank runs
const PY_FRAME = /^\s*File "([^"]+)", line (\d+), in (.+)$/;
/** A Go frame's second line: tab, file:line, offset; the line before it names the function. */
const GO_FILE = /^\t(\S{1,500}\.go:\d{1,7})(?: \+0x[0-9a-f]{1,16})?$/;

/** The first application frame of a stack (innermost first for JS, Java, .NET and Go; last for Python). */
export function topFrame(stack: string | undefined): string | null {
  if (!stack) return null;
  let python: string | null = null;
  let firstAny: string | null = null;
  // Line by line without splitting: the application's frame is most often the first.
  let before = '';
  for (let start = 0; start <= stack.length; ) {
    const nl = stack.indexOf('\n', start);
    const end = nl < 0 ? stack.length : nl;
    const line = stack.slice(start, end);
    const first = start === 0;
    start = end + 1;
    const js = JS_FRAME.exec(line);
    if (js) {
      const frame = dropNumber(js[1], true); // drop the column, keep the line
      firstAny ??= frame;
      if (!LIBRARY_FRAME.test(line)) return frame;
      before = line;
      continue;
    }
    const go = first ? null : GO_FILE.exec(line);
    if (go) {
      const fn = before.replace(/^created by /, '').replace(/(?: in goroutine \d+|\([^()]*\))$/, '');
      const frame = `${fn} (${go[1]})`;
      firstAny ??= frame;
      if (!isGoLibrary(fn, go[1])) return frame;
      before = line;
      continue;
    }
    const py = PY_FRAME.exec(line);
    if (py && !LIBRARY_FRAME.test(py[1])) python = `${py[3]} (${py[1]}:${py[2]})`;
    before = line;
  }
  return python ?? firstAny;
}

/**
 * `text` without the `:number` at its end (or before a closing parenthesis there); with
 * `column`, only where another `:number` precedes it (`file.js:10:5` → `file.js:10`).
 */
export function dropNumber(text: string, column: boolean): string {
  const end = text.charCodeAt(text.length - 1) === 41 /* ) */ ? text.length - 1 : text.length;
  const at = colonNumber(text, end);
  if (at < 0 || (column && colonNumber(text, at) < 0)) return text;
  return text.slice(0, at) + text.slice(end);
}

/** Where the `:digits` that ends at `end` starts (its colon), or -1. */
export function colonNumber(text: string, end: number): number {
  let i = end;
  while (i > 0 && isDigit(text.charCodeAt(i - 1))) i--;
  return i < end && i > 0 && text.charCodeAt(i - 1) === 58 /* : */ ? i - 1 : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A Go frame outside the application: GOROOT, the module cache, GOPATH, vendor, or a std package. */
function isGoLibrary(fn: string, file: string): boolean {
  if (GO_LIBRARY_FILE.test(file)) return true;
  return GO_STD_ROOT.test(fn); // the first element of the import path: "net" of "net/http.(*conn).serve"
}

const GO_LIBRARY_FILE = /\/usr\/(?:local\/)?(?:lib\/)?go(?:-[\d.]+)?\/src\/|\/pkg\/mod\/|\/gocode\/|\/vendor\//;
const GO_STD_ROOT = /^(?:runtime|net|syscall|internal|reflect|sync|encoding|io|os|fmt|bufio|crypto|context|errors|strings|bytes|log|time|testing)[./]/;

/** Numbers, ids and quoted values vary between occurrences of one bug. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/"(?:[^"\\\n]|\\.){0,4096}"|'(?:[^'\\\n]|\\.){0,4096}'(?=\s+is not|\s*$)/g, '"…"')
    .replace(/\b0x[0-9a-f]+\b/gi, '0x…')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/(?<![\w-])\d+/g, 'N')
    .slice(0, 200);
}

/** Per exception event, its info without payloads: a verdict reads it for its evidence and its exception, again at the re-check. */
const infos = new WeakMap<ExceptionEvent, ExceptionInfo>();

export function exceptionInfo(e: ExceptionEvent, showPayloads = false): ExceptionInfo {
  let info = showPayloads ? undefined : infos.get(e);
  if (info) return info;
  // Cut to a size a report can show: the summary keeps up to a thousand of these, whatever the input held.
  const frame = e.stack ? appFrame(e.stack) : NO_FRAME;
  const type = clip(e.type, 200);
  const said = saying(e.message);
  info = {
    type,
    message: clip(showPayloads ? e.message : said.redacted, 2000),
    topFrame: showPayloads ? frame.text : frame.redacted,
    at: e.at,
    signature: `${type}: ${said.normalized}${frame.key}`,
  };
  if (!showPayloads) infos.set(e, info);
  return info;
}

interface Frame {
  text: string | null;
  /** The frame's line can go on with what the program printed after it (`{"password":...}`). */
  redacted: string | null;
  /** Its part of a signature, like the message's from the redacted text: the frame without its line number. */
  key: string;
}

const NO_FRAME: Frame = { text: null, redacted: null, key: '' };

function appFrame(stack: string): Frame {
  const text = clip(topFrame(stack), 500);
  if (!text) return NO_FRAME;
  const redacted = redact(text);
  return { text, redacted, key: ` @ ${dropNumber(redacted, false)}` };
}

/** Per message, its text without payloads and that text normalized for a signature. */
const saying = memo((message: string) => {
  const redacted = redact(message);
  return { redacted, normalized: normalizeMessage(redacted) };
}, 1024, 1024);

/** The exception is a parser rejecting its input: JSON, UTF-8 decoding, a schema. */
export function isParseError(e: ExceptionEvent): boolean {
  const text = `${e.type}: ${e.message}`;
  return /JSON|Unexpected token|Unexpected end of|Expecting value|invalid character|codec can't decode|not valid UTF-?8|Unexpected (?:non-whitespace )?character|Malformed|SyntaxError|Unmarshal|parse error|cannot parse|failed to parse/i.test(text)
    || /JSON\.parse|json\.loads|json\.decoder|encoding\/json/.test(e.stack ?? '')
    // Starlette's receive_text()/receive_json() given a binary frame: `message["text"]` has no such key.
    || (e.type === 'KeyError' && starletteLacked(e.stack) === 'text');
}

const STARLETTE_RECEIVE = /File "[^"\n]{0,400}starlette\/websockets\.py", line \d{1,6}, in receive_(?:text|bytes|json)\n(?:[^\n]{0,400}\n){0,3}KeyError: '(text|bytes)'$/;

/**
 * The message key Starlette's receive_text(), receive_bytes() or receive_json() found missing, if
 * the traceback ends there: `message["text"]` raising KeyError('text') was given a binary frame,
 * KeyError('bytes') a text frame.
 */
export function starletteLacked(stack: string | undefined): 'text' | 'bytes' | undefined {
  return stack === undefined ? undefined : STARLETTE_RECEIVE.exec(stack)?.[1] as 'text' | 'bytes' | undefined;
}

/** Text that says the endpoint got a data type it does not take. */
export const TYPE_MISMATCH_TEXT = /unsupported (?:data|type|frame|message)|invalid ?message ?type|(?:binary|text|bytes)(?: frames?| messages?| data)? (?:only|(?:are |is )?not (?:supported|accepted|allowed|expected))|only (?:accepts? )?(?:text|binary|bytes|string)|expected (?:a )?(?:text|binary|bytes|str|string)\b|but got (?:bytes|text|binary|str)|cannot accept (?:binary|text)|wrong (?:frame|message|data) type/i;

/**
 * Text that says the library closed because its keepalive pings went unanswered: websockets
 * fails the connection with 1011 "keepalive ping timeout" (10.x legacy and the new asyncio
 * implementation; run: 10.4), uvicorn's websockets protocol with it.
 */
export const KEEPALIVE_TIMEOUT_TEXT = /keepalive ping timeout/i;

export const POLICY_TEXT = /auth|token|forbidden|unauthori[sz]ed|permission|denied|origin|rate[ -]?limit|too many (?:requests|connections|messages)|quota|banned|policy|expired/i;

/** Text that says the server is going down: said of a close, it names the server as its initiator. */
const SERVER_LEAVING = 'shut(?:ting)? ?down|restart|deploy|drain|SIGTERM|server (?:closing|stopping)|maintenance';
export const SERVER_LEAVING_TEXT = new RegExp(SERVER_LEAVING, 'i');

/** Text that says the server went, or will go, away: "going away" is 1001's own name, said by clients too. */
export const RESTART_TEXT = new RegExp(`${SERVER_LEAVING}|going away|overload|try again`, 'i');
