#!/usr/bin/env node
// headroom-sim: the command line.
export {};
