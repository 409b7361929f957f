/**
 * The normalized event model every parser emits and the verdict every renderer reads.
 * Names are fixed by shared/DESIGN.md: they appear in JSON output and span attributes.
 */

export const ROOT_CAUSES = [
  'data-type-mismatch',
  'unhandled-error',
  'invalid-payload',
  'message-too-big',
  'policy-violation',
  'protocol-error',
  'server-restart',
  'abnormal-closure',
  'normal',
  'application',
  'unknown',
] as const;

export type RootCause = (typeof ROOT_CAUSES)[number];

export type FrameType = 'text' | 'binary' | 'ping' | 'pong' | 'close' | 'continuation';
export type DataType = 'text' | 'binary';
/** What an endpoint accepts: one data type, or both. */
export type Accepts = DataType | 'any';
export type Direction = 'in' | 'out';
export type Initiator = 'server' | 'client' | 'unknown';

interface EventBase {
  /** Epoch milliseconds, or undefined when the line had no readable time. */
  time: number | undefined;
  /** The connection key as found in the input, or undefined when the line names none. */
  conn: string | undefined;
  /** Where the event was read: `file:line`, or `traceId/spanId`. */
  at: string;
  /** The process that wrote it (pid@host, or the file): keyless exceptions and crashes attach by it. */
  process?: string;
  /** The route (path) when the line names it. */
  route?: string;
}

export interface OpenEvent extends EventBase {
  kind: 'open';
  remote?: string;
  protocol?: string;
}

export interface FrameEvent extends EventBase {
  kind: 'frame';
  direction: Direction;
  type: FrameType;
  size?: number;
  /** Close frames: the status code and reason they carry. */
  code?: number;
  reason?: string;
}

export interface ExceptionEvent extends EventBase {
  kind: 'exception';
  type: string;
  message: string;
  stack?: string;
  /** The process died of it (uncaught exception, panic): its open connections ended with it. */
  fatal: boolean;
  /** The log says the exception was caught and handled (a warning, "handled", "ignored"). */
  handled?: boolean;
  /** A library error code such as WS_ERR_INVALID_UTF8. */
  code?: string;
  /**
   * The close code the library itself sent because of this error (ws's WS_ERR_* table,
   * aiohttp's WebSocketError): the local API may still report 1006 afterwards.
   */
  wireCode?: number;
  /** The exception says the connection was already closed (Python's ConnectionClosed): a consequence, not a cause. */
  connectionClosed?: boolean;
}

export interface CloseEvent extends EventBase {
  kind: 'close';
  /** The code the log reports, or null when none was given (1005 semantics kept as logged). */
  code: number | null;
  reason: string;
  initiator: Initiator;
  /** False when the log says no close frame was exchanged. */
  clean?: boolean;
}

/** A line the log writes about a connection that is none of the above: auth failures, shutdown notices. */
export interface NoteEvent extends EventBase {
  kind: 'note';
  text: string;
  level?: string;
}

/** The log states which data type an endpoint accepts (a startup line, a config dump). */
export interface AcceptsEvent extends EventBase {
  kind: 'accepts';
  route: string;
  accepts: Accepts;
}

export type WsEvent = OpenEvent | FrameEvent | ExceptionEvent | CloseEvent | NoteEvent | AcceptsEvent;

export type EvidenceKind = 'open' | 'frame' | 'exception' | 'close' | 'note' | 'profile' | 'crash';

export interface Evidence {
  kind: EvidenceKind;
  at: string;
  /** ISO time, or null when unknown. */
  time: string | null;
  summary: string;
}

export interface ExceptionInfo {
  type: string;
  message: string;
  /** The first stack frame of application code (not node internals, not node_modules). */
  topFrame: string | null;
  /** Grouping key: type, normalized message and first application frame. */
  signature: string;
  /** Where the exception was read. */
  at: string;
}

/** One verdict per connection that ended; DESIGN.md "Output contract". */
export interface Verdict {
  connection: string;
  route: string | null;
  /** The peer's address as logged (no port), when the log names it. */
  remote?: string;
  /** The process that served it (pid@host), when the log names one: one id in two processes is two connections. */
  process?: string;
  closeCode: number | null;
  /** What the local API reported when it differs from the code on the wire (ws reports 1006 after sending 1009). */
  reportedCode?: number | null;
  closeReason: string;
  initiator: Initiator;
  rootCause: RootCause;
  incident: boolean;
  codeAgreement: 'agrees' | 'disagrees';
  explanation: string;
  confidence: number;
  evidence: Evidence[];
  fix: string;
  at: string;
  time: string | null;
  exception?: ExceptionInfo;
  /** How the accepted data type of the route was known, when the verdict used it. */
  profile?: 'user' | 'log' | 'learned';
}
