#!/usr/bin/env node
'use strict';
// The package "bin": registers tsx so the TypeScript CLI runs without a build step.
require('tsx/cjs');
// The AWS SDK warns on stderr, once per process, that future releases will need
// Node 22; for a CLI whose errors are one line each, that is noise. Set it to
// anything but "true" to see the warning.
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
const { main } = require('./cli/main.ts');

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    // exitCode, not exit(): the process ends once stdout has been flushed to a pipe.
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gatekeeper: internal error: ${String(err && err.message).split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
