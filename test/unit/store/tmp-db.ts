// Temp-directory helper for store tests: every test gets its own DB file, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  dir: string;
  /** A path inside the temp dir (the file itself is not created). */
  file(name?: string): string;
  cleanup(): void;
}

export function makeTmpDir(): TmpDir {
  const dir = mkdtempSync(join(tmpdir(), 'callbackd-store-'));
  return {
    dir,
    file: (name = 'callbackd.db') => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
