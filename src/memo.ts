/**
 * Caches of pure functions of log text that recurs from close to close: close reasons,
 * exception messages and stacks. A cache holds at most `size` results and is emptied when
 * full; text longer than `maxLength` is not kept (its hash costs as much as the work).
 */
export function memo<T>(fn: (text: string) => T, size: number, maxLength: number): (text: string) => T {
  const results = new Map<string, T>();
  return (text) => {
    if (text.length > maxLength) return fn(text);
    let out = results.get(text);
    if (out !== undefined || results.has(text)) return out as T;
    out = fn(text);
    if (results.size >= size) results.clear();
    results.set(text, out);
    return out;
  };
}
