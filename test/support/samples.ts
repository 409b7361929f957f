/** The committed sample inputs: every file in samples/<name>/ but the scripts, sources and configuration that made it and its expected verdicts. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE_INPUTS: string[] = readdirSync('samples').filter((d) => statSync(join('samples', d)).isDirectory())
  .flatMap((d) => readdirSync(join('samples', d))
    .filter((f) => !/\.(?:expected\.json|m?[jt]s|py|go|java|sh|md|xml)$|^\./.test(f))
    .map((f) => join('samples', d, f)))
  .filter((f) => statSync(f).isFile());
