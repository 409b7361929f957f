/**
 * A streaming JSON reader fed line by line: it reports each scalar with its path and line, and
 * the start and end of each container, without holding the document. For one-document formats
 * (HAR) that may be pretty-printed or on one line. A string never spans lines in JSON, so each
 * line is scanned on its own with the container stack carried over.
 */

export type JsonPath = readonly (string | number)[];

export interface JsonHandler {
  /** A scalar value at `path` (the path array is reused: copy what you keep). */
  value(path: JsonPath, value: string | number | boolean | null, lineNo: number): void;
  /** An object or array starts at `path`. */
  open?(path: JsonPath, lineNo: number): void;
  /** The object or array at `path` ends. */
  close?(path: JsonPath, lineNo: number): void;
}

const WS = /[\s,:]/;

export class JsonStream {
  private readonly path: (string | number)[] = [];
  /** Per open container: true for an object (the next string is a key). */
  private readonly objects: boolean[] = [];
  private wantKey = false;
  private broken = false;

  constructor(private readonly h: JsonHandler) {}

  /** False once the text stopped being JSON; later lines are ignored. */
  get ok(): boolean {
    return !this.broken;
  }

  line(text: string, lineNo: number): void {
    const n = text.length;
    let i = 0;
    while (i < n && !this.broken) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        let j = text.indexOf('"', i + 1);
        while (j > 0 && isEscaped(text, j)) j = text.indexOf('"', j + 1);
        if (j < 0) return this.fail();
        const raw = text.slice(i + 1, j);
        const s = raw.includes('\\') ? unescape(raw) : raw;
        i = j + 1;
        if (this.wantKey) {
          this.path[this.path.length - 1] = s;
          this.wantKey = false;
        } else {
          this.scalar(s, lineNo);
        }
      } else if (c === 123 /* { */ || c === 91 /* [ */) {
        this.h.open?.(this.path, lineNo);
        const obj = c === 123;
        this.objects.push(obj);
        this.path.push(obj ? '' : 0);
        this.wantKey = obj;
        i++;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        if (this.objects.length === 0) return this.fail();
        this.objects.pop();
        this.path.pop();
        this.h.close?.(this.path, lineNo);
        this.next();
        i++;
      } else if (c === 44 /* , */ && this.objects.at(-1)) {
        this.wantKey = true;
        i++;
      } else if (WS.test(text[i])) {
        i++;
      } else {
        let j = i + 1;
        while (j < n && !/[\s,:\]}]/.test(text[j])) j++;
        const word = text.slice(i, j);
        const v = word === 'true' ? true : word === 'false' ? false : word === 'null' ? null : Number(word);
        if (typeof v === 'number' && Number.isNaN(v)) return this.fail();
        this.scalar(v, lineNo);
        i = j;
      }
    }
  }

  private scalar(v: string | number | boolean | null, lineNo: number): void {
    this.h.value(this.path, v, lineNo);
    this.next();
  }

  /** After a value: the next array element gets the next index. */
  private next(): void {
    const top = this.path.length - 1;
    if (top >= 0 && !this.objects[top]) (this.path[top] as number)++;
  }

  private fail(): void {
    this.broken = true;
  }
}

function isEscaped(text: string, quote: number): boolean {
  let k = quote - 1;
  while (text.charCodeAt(k) === 92 /* \ */) k--;
  return (quote - 1 - k) % 2 === 1;
}

function unescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
