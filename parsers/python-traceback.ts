/**
 * Python tracebacks as the `traceback` module prints them (CPython 3.x, checked on 3.11):
 * `Traceback (most recent call last):`, indented `File "…", line N, in fn` and source lines
 * (3.11+ adds `^^^^` markers), a final `Type: message` line, and chained exceptions joined by
 * "The above exception was the direct cause of the following exception:" or "During handling
 * of the above exception, another exception occurred:". One assembler serves every Python parser.
 */

export const TRACEBACK_START = 'Traceback (most recent call last):';
const CHAIN_MARKERS = [
  'The above exception was the direct cause of the following exception:',
  'During handling of the above exception, another exception occurred:',
];
/** `module.Type: message`, or a bare `Type` (an exception raised without arguments). */
const FINAL_LINE = /^([A-Za-z_][\w.]{0,200})(?::[ ]?(.*))?$/;
const MAX_STACK_CHARS = 64 * 1024;
const MAX_MESSAGE_LINES = 20;

export interface PyException {
  /** The type as printed: builtins bare (`KeyError`), others qualified (`json.decoder.JSONDecodeError`). */
  type: string;
  message: string;
  /** The whole traceback text, chained parts included. */
  stack: string;
  /** The types of the chained exceptions before the last one, oldest first. */
  causes: string[];
}

type State = 'frames' | 'final' | 'chain';

/**
 * The traceback written whole in `text` from `start` (its `Traceback (most recent call last):`
 * line); undefined when it has no final `Type: message` line.
 */
export function tracebackOf(text: string, start = 0): PyException | undefined {
  const tb = new Traceback();
  for (const line of text.slice(start + TRACEBACK_START.length + 1).split('\n')) if (!tb.add(line, true)) break;
  return tb.complete ? tb.result() : undefined;
}

/** One traceback being assembled, possibly with lines of other records between its lines. */
export class Traceback {
  private state: State = 'frames';
  private readonly lines: string[] = [TRACEBACK_START];
  private chars = TRACEBACK_START.length;
  private type = '';
  private message = '';
  private readonly causes: string[] = [];
  /** The line before was this traceback's final line: an unindented line after it continues the message. */
  private afterFinal = false;
  private messageLines = 0;
  private blanks = 0;

  /** Whether the final `Type: message` line was read; a chained part may still follow. */
  get complete(): boolean {
    return this.state === 'final';
  }

  /**
   * Offers a line that is not a log record header; returns false when it is not part of this
   * traceback. `adjacent` says no other record's line came between it and this traceback's last line.
   */
  add(text: string, adjacent: boolean): boolean {
    const indented = text.charCodeAt(0) === 32 || text.charCodeAt(0) === 9;
    if (text.trim() === '') {
      if (this.state === 'frames') return false;
      this.blanks++;
      this.afterFinal = false;
      return true;
    }
    switch (this.state) {
      case 'frames':
        if (indented) return this.push(text);
        this.final(text);
        return true;
      case 'final':
        if (CHAIN_MARKERS.includes(text)) {
          this.causes.push(this.type);
          this.state = 'chain';
          return this.push(text);
        }
        if (!indented && this.afterFinal && adjacent && text !== TRACEBACK_START && this.messageLines < MAX_MESSAGE_LINES) {
          this.messageLines++;
          this.message += `\n${text}`;
          this.push(text);
          this.afterFinal = true;
          return true;
        }
        return false;
      case 'chain':
        if (text !== TRACEBACK_START) return false;
        this.state = 'frames';
        return this.push(text);
    }
  }

  result(): PyException {
    return { type: this.type || 'Exception', message: this.message, stack: this.lines.join('\n'), causes: this.causes };
  }

  private final(text: string): void {
    const m = FINAL_LINE.exec(text);
    this.type = m ? m[1] : 'Exception';
    this.message = m ? (m[2] ?? '') : text;
    this.state = 'final';
    this.messageLines = 0;
    this.push(text);
    this.afterFinal = true;
  }

  private push(text: string): true {
    for (; this.blanks > 0; this.blanks--) this.append('');
    this.append(text);
    this.afterFinal = false;
    return true;
  }

  private append(text: string): void {
    if (this.chars + text.length > MAX_STACK_CHARS) return; // keep the state, drop the text
    this.chars += text.length + 1;
    this.lines.push(text);
  }
}
