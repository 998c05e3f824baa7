#!/usr/bin/env node
// headroom-sim: replay traces through scaling policies and compare them with the oracle bound.
// `npm start` at the repository root runs it with no flags: the flagship on the bundled traces.
import { parseArgs } from 'node:util';
import { isHeadroomError } from '@headroom/core';
import { COLD_START_PRESETS } from '../engine/cold-start.js';
import type { ColdStartPresetName } from '../engine/cold-start.js';
import { POLICY_NAMES, isPolicyName } from '../policies/index.js';
import type { PolicyName } from '../policies/index.js';
import { renderTable } from '../report/index.js';
import { runFlagship, writeReport } from './flagship.js';

const HELP = `headroom-sim: replay LLM traffic through scaling policies and compare them

Usage: headroom-sim [options]

  --trace <file|name>   trace to replay (repeatable): azure-code, azure-conv (bundled), or an
                        Azure / Mooncake / BurstGPT / CSV file. Default: both bundled traces
  --policies <list>     comma-separated: ${POLICY_NAMES.join(', ')} (the oracle is always added)
  --slo <ms>            TTFT SLO in ms (default 2000)
  --cold-start <name>   ${COLD_START_PRESETS.join(', ')} (default production-bimodal)
  --model <name>        llama2-70b or bloom-176b (Splitwise-calibrated; default llama2-70b)
  --gpu <name>          h100-80gb or a100-80gb (calibrated), else a roofline from the catalog
  --seed <n>            seed of every random draw (default 1)
  --time-scale <f>      multiply arrival times (0.1 = 10x compressed; default 1)
  --rate-scale <f>      multiply the arrival rate (default 1)
  --out <dir>           where report.json and report.html go (default headroom-report)
  --json                print the report as JSON on stdout instead of the table
  --help                this text
`;

function fail(message: string): never {
  process.stderr.write(`headroom-sim: ${message}\n`);
  process.exit(2);
}

function num(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`--${flag} must be a number > 0, got "${value}"`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      trace: { type: 'string', multiple: true },
      policies: { type: 'string' },
      slo: { type: 'string' },
      'cold-start': { type: 'string' },
      model: { type: 'string' },
      gpu: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      'rate-scale': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  const policies: PolicyName[] = [];
  for (const p of (values.policies ?? POLICY_NAMES.join(',')).split(',')) {
    const name = p.trim();
    if (!isPolicyName(name)) fail(`unknown policy "${name}"; known: ${POLICY_NAMES.join(', ')}`);
    policies.push(name);
  }
  const coldStart = values['cold-start'] ?? 'production-bimodal';
  if (!(COLD_START_PRESETS as readonly string[]).includes(coldStart))
    fail(`unknown cold-start preset "${coldStart}"; known: ${COLD_START_PRESETS.join(', ')}`);
  const seed = num('seed', values.seed, 1);
  if (!Number.isSafeInteger(seed)) fail('--seed must be an integer');

  const started = Date.now();
  const tty = process.stderr.isTTY;
  const progress = (done: number, total: number, label: string): void => {
    const width = 24;
    const filled = Math.round((done / total) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
    process.stderr.write(tty ? `\r${bar.padEnd(72)}` : `${bar}\n`);
  };
  const report = runFlagship({
    ...(values.trace === undefined ? {} : { traces: values.trace }),
    policies,
    sloTtftMs: num('slo', values.slo, 2_000),
    coldStart: coldStart as ColdStartPresetName,
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values.gpu === undefined ? {} : { gpu: values.gpu }),
    seed,
    timeScale: num('time-scale', values['time-scale'], 1),
    rateScale: num('rate-scale', values['rate-scale'], 1),
    onProgress: progress,
  });
  if (tty) process.stderr.write('\n');
  const files = writeReport(report, values.out ?? 'headroom-report');
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderTable(report)}\n`);
    process.stdout.write(`report: ${files.html}\n        ${files.json}\n`);
  }
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

try {
  main();
} catch (error) {
  if (isHeadroomError(error)) fail(error.message);
  throw error;
}
