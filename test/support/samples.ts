/** The committed sample inputs: every file under samples/<name>/, in its subfolders too, but the scripts, sources and configuration that made it and its expected verdicts. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function inputsUnder(dir: string): string[] {
  return readdirSync(dir).filter((f) => !/\.(?:expected\.json|m?[jt]s|py|go|java|sh|md|xml)$|^\.|^__pycache__$/.test(f)).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? inputsUnder(path) : [path];
  });
}

export const SAMPLE_INPUTS: string[] = readdirSync('samples').filter((d) => statSync(join('samples', d)).isDirectory())
  .flatMap((d) => inputsUnder(join('samples', d)));
