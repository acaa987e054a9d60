// What is running, for callbackd_build_info: the package version and the Node.js version.
import fs from 'node:fs';
import path from 'node:path';

export interface BuildInfo {
  version: string;
  node: string;
}

/** package.json sits two levels up from both src/metrics/ (tsx) and dist/metrics/ (the build), and the
 *  Docker image and /opt/callbackd keep it beside dist/. A missing or unreadable file is not worth a
 *  failed start: the version is then 'unknown'. */
export function readBuildInfo(packageJson: string = path.join(__dirname, '..', '..', 'package.json')): BuildInfo {
  let version = 'unknown';
  try {
    const parsed = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version?: unknown };
    if (typeof parsed.version === 'string' && parsed.version !== '') version = parsed.version;
  } catch {
    /* keep 'unknown' */
  }
  return { version, node: process.version };
}
