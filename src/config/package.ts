// The installed package itself: its folder (which holds package.json and the shipped sounds/) and its
// version. Found from this file's location, so it is the same whether callbackd runs from src/ (tsx)
// or dist/, and whatever the working directory is.
import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The folder holding callbackd's package.json (the checkout, or /app in the Docker image). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (isOurPackage(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`callbackd's package.json not found above ${__dirname}`);
  }
}

function isOurPackage(file: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown }).name === 'callbackd';
  } catch {
    return false;
  }
}

/** The version in package.json, as `callbackd --version` prints it. */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
