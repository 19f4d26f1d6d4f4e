#!/usr/bin/env node
// The executable is only a door into the compiled CLI; everything lives in src/cli.
import '../dist/src/cli/main.js';
