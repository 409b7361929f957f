/** `wsclose explain CODE`: what a close code means, when it is seen and how to fix it. */
import { closeCodeInfo, REGISTERED_CODES } from './codes.js';

export function explain(arg: string): string {
  const code = Number(arg);
  if (!Number.isInteger(code) || code < 0 || code > 4999) {
    throw new Error(`"${arg}" is not a close code (a whole number, 1000-4999)`);
  }
  const info = closeCodeInfo(code);
  return [
    `${code} ${info.name}`,
    '',
    `What it means:  ${info.meaning}`,
    `When you see it: ${info.seen}`,
    `How to fix it:  ${info.fix}`,
    `Root cause when nothing else is known: ${info.cause}`,
    info.onWire ? '' : 'Never sent on the wire: a library reports it locally.',
    code === 1003 || code === 1011 ? 'wsclose judges each close from what happened on the connection, not from the code: a 1011 after a binary frame reached a JSON handler is a data-type mismatch.' : '',
  ].filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== '')).join('\n').trimEnd() + '\n';
}

export function listCodes(): string {
  const rows = REGISTERED_CODES.map((c) => `  ${c}  ${closeCodeInfo(c).name.padEnd(28)} ${closeCodeInfo(c).cause}`);
  return ['Registered close codes (wsclose explain CODE for details):', ...rows,
    '  3000-3999  registered for libraries and frameworks', '  4000-4999  private use by applications', ''].join('\n');
}
