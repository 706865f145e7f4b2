#!/usr/bin/env node
// The `mitene` command. Sources are TypeScript, loaded through tsx: no build step between a change and a run.
"use strict";
require("tsx/cjs");
const { runCli } = require("../automation/bin.ts");
runCli();
