// Preloaded into a child with NODE_OPTIONS=--import: writes the process's peak resident set
// size (KiB) to $WSCLOSE_MAX_RSS_FILE when it exits, so a test can bound the CLI's memory.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  writeFileSync(process.env.WSCLOSE_MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
