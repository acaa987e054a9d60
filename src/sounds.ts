// Which languages have shipped prompts installed: sounds/<lang>/ folders holding the welcome prompt.
// Read once at start by the daemon and per command by the CLI (file system, so not in src/app).
import fs from 'node:fs';
import path from 'node:path';

export function installedLanguages(soundsDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(soundsDir);
  } catch {
    return [];
  }
  return names.filter((n) => fs.existsSync(path.join(soundsDir, n, 'welcome.wav'))).sort();
}
