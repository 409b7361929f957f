/**
 * What an exception says: its first application frame, the signature that groups it the way
 * an error tracker would, and whether its text points at a data-type or parsing problem.
 */
import type { ExceptionEvent, ExceptionInfo } from './model.js';
import { redact } from './redact.js';

/** Frames from runtimes and libraries: the first frame that is not one of these is the application's. */
const LIBRARY_FRAME = /node:|node_modules|internal\/|\(native\)|\(<anonymous>\)|dist-packages|site-packages|\/usr\/lib\/python|\/usr\/lib\/go|\/usr\/local\/go|\bruntime\/|\bnet\/http\.|\bat (?:java|javax|jdk|sun|kotlin|org\.springframework|org\.apache|org\.eclipse\.jetty|io\.undertow|reactor)\.|\bat (?:System|Microsoft)\./;

const JS_FRAME = /^\s*at\s+(.+?)\s*$/;
const PY_FRAME = /^\s*File "([^"]+)", line (\d+), in (.+)$/;

/** The first application frame of a stack (innermost first for JS, Java and .NET; last for Python). */
export function topFrame(stack: string | undefined): string | null {
  if (!stack) return null;
  const lines = stack.split('\n');
  let python: string | null = null;
  let firstAny: string | null = null;
  for (const line of lines) {
    const js = JS_FRAME.exec(line);
    if (js) {
      const frame = js[1].replace(/:\d+\)?$/, (m) => (m.endsWith(')') ? ')' : '')); // drop the column
      firstAny ??= frame;
      if (!LIBRARY_FRAME.test(line)) return frame;
      continue;
    }
    const py = PY_FRAME.exec(line);
    if (py && !LIBRARY_FRAME.test(py[1])) python = `${py[3]} (${py[1]}:${py[2]})`;
  }
  return python ?? firstAny;
}

/** Numbers, ids and quoted values vary between occurrences of one bug. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/"(?:[^"\\\n]|\\.){0,4096}"|'(?:[^'\\\n]|\\.){0,4096}'(?=\s+is not|\s*$)/g, '"…"')
    .replace(/\b0x[0-9a-f]+\b/gi, '0x…')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/(?<![\w-])\d+/g, 'N')
    .slice(0, 200);
}

export function exceptionInfo(e: ExceptionEvent, showPayloads = false): ExceptionInfo {
  const frame = topFrame(e.stack);
  const message = redact(e.message, showPayloads);
  return {
    type: e.type,
    message,
    topFrame: frame,
    at: e.at,
    signature: `${e.type}: ${normalizeMessage(redact(e.message))}${frame ? ` @ ${frame.replace(/:\d+(\)?)$/, '$1')}` : ''}`,
  };
}

/** The exception is a parser rejecting its input: JSON, UTF-8 decoding, a schema. */
export function isParseError(e: ExceptionEvent): boolean {
  const text = `${e.type}: ${e.message}`;
  return /JSON|Unexpected token|Unexpected end of|Expecting value|invalid character|codec can't decode|not valid UTF-?8|Unexpected (?:non-whitespace )?character|Malformed|SyntaxError|Unmarshal|parse error|cannot parse|failed to parse/i.test(text)
    || /JSON\.parse|json\.loads|json\.decoder|encoding\/json/.test(e.stack ?? '');
}

/** Text that says the endpoint got a data type it does not take. */
export const TYPE_MISMATCH_TEXT = /unsupported (?:data|type|frame|message)|invalid ?message ?type|(?:binary|text|bytes)(?: frames?| messages?| data)? (?:only|(?:are |is )?not (?:supported|accepted|allowed|expected))|only (?:accepts? )?(?:text|binary|bytes|string)|expected (?:a )?(?:text|binary|bytes|str|string)\b|but got (?:bytes|text|binary|str)|cannot accept (?:binary|text)|wrong (?:frame|message|data) type/i;

export const POLICY_TEXT = /auth|token|forbidden|unauthori[sz]ed|permission|denied|origin|rate[ -]?limit|too many (?:requests|connections|messages)|quota|banned|policy|expired/i;

export const RESTART_TEXT = /shut(?:ting)? ?down|restart|deploy|drain|SIGTERM|server (?:closing|stopping)|going away|overload|try again|maintenance/i;
