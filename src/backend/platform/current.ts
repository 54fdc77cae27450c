/**
 * Which platform is in use. The Node implementation (`./node.js`) is installed by the Node entry as
 * a side effect of importing it; the browser implementation (`./browser.js`) is the default.
 * Without an installed platform, Node ≥ 20.16 still gets the Node implementation through
 * `process.getBuiltinModule` (no `node:` import anywhere, so bundlers see nothing), so code that
 * imports the library's modules directly keeps working.
 */
import type { Platform } from './platform.js';
import { browserPlatform } from './browser.js';
import { makeNodePlatform, nodeBuiltinsFromProcess } from './node-impl.js';

let installed: Platform | null = null;
let detected: Platform | null = null;

/** The platform in use: the installed one, else Node's (detected) or the browser's. */
export function getPlatform(): Platform {
  if (installed !== null) return installed;
  if (detected === null) {
    const builtins = nodeBuiltinsFromProcess();
    detected = builtins !== null ? makeNodePlatform(builtins) : browserPlatform;
  }
  return detected;
}

/** Installs a platform (the Node entry installs Node's); returns the previous one, null if none was installed. */
export function setPlatform(p: Platform | null): Platform | null {
  const prev = installed;
  installed = p;
  return prev;
}
