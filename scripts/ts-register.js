/**
 * TypeScript loader of the synth app command (cdktf.json: `node -r ./scripts/ts-register.js main.ts`) and of the
 * project's scripts. It only strips types (sucrase; no type check: `npm run build` / `npm test` run `tsc --noEmit`)
 * and keeps each file's output in node_modules/.cache/ts-register/, keyed by the sucrase version, the file's path and
 * its source, so a synth after a change transpiles only the files that changed. Sucrase keeps line numbers, so stack
 * traces point at the right TypeScript lines without source maps.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { addHook } = require('pirates');
const { transform, getVersion } = require('sucrase');

const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'ts-register');
const salt = `sucrase ${getVersion()} typescript,imports`;

function compile(code, filePath) {
  const key = crypto.createHash('sha256').update(salt).update('\0').update(filePath).update('\0').update(code).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const out = transform(code, { transforms: ['typescript', 'imports'], filePath }).code;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, cached); // atomic: concurrent runs never read half a file
    } catch {
      // a read-only tree: no cache
    }
    return out;
  }
}

addHook(compile, { exts: ['.ts'], ignoreNodeModules: true });
