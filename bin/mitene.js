#!/usr/bin/env node
// @ts-check
// The `mitene` command. The sources are TypeScript; they run as one bundle that esbuild builds on first use and
// caches until a source changes (bin/bundle.js), so a command starts at once: no build step between a change
// and a run, and nothing built is ever committed.
"use strict";
const path = require("node:path");
const { cliSpec, loadBundle } = require("./bundle");

const spec = cliSpec();
// Node 22.1+: V8 keeps the compiled code of the bundle and of the packages it loads for the next run.
require("node:module").enableCompileCache?.(path.join(spec.cacheDir, "..", "v8"));
loadBundle(spec).then(
    ({ exports }) => exports.runCli(),
    (error) => {
        // Even this failure is one JSON document with --json (CONTRACT).
        const message = `cannot build mitene from its sources: ${error instanceof Error ? error.message : String(error)}`;
        process.stderr.write(`mitene: ${message}\n`);
        if (process.argv.includes("--json")) process.stdout.write(JSON.stringify({ error: message, exitCode: 1 }) + "\n");
        process.exitCode = 1;
    },
);
