/** A JSON-lines log of many short connections, as a real ws + pino server writes them: open, one message, close. */
export function connectionLog(from: number, to: number, close: (i: number) => { code: number; isBinary: boolean }): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const base = { level: 30, time: 1764006313213 + i, connId: `c${i}`, route: '/chat' };
    const { code, isBinary } = close(i);
    out.push(JSON.stringify({ ...base, msg: 'ws connection opened' }));
    out.push(JSON.stringify({ ...base, isBinary, size: 3, msg: 'ws message received' }));
    out.push(JSON.stringify({ ...base, code, reason: '', msg: 'ws connection closed' }));
  }
  return out.join('\n') + '\n';
}
