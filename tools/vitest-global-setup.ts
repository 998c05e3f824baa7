import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    headroomSeed: number;
    headroomNumRuns: number | undefined;
  }
}

/** The seed every property test uses unless `HEADROOM_SEED` says otherwise. */
const DEFAULT_SEED = 20_261_126;

function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') {
    // No seed given: the fixed default, so `npm test` (and CI) is reproducible run to run.
    return DEFAULT_SEED;
  }
  if (raw.trim() === 'random') {
    // Exploration: draw a fresh seed so successive runs try different cases; it is printed to replay.
    return Math.floor(Math.random() * 0x7fffffff);
  }
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`HEADROOM_SEED must be an integer, got ${JSON.stringify(raw)}`);
  }
  return seed | 0;
}

/** Runs once per vitest process: picks the fast-check seed and hands it to every test file. */
export default function setup(project: TestProject): void {
  const seed = parseSeed(process.env.HEADROOM_SEED);
  const runsRaw = process.env.HEADROOM_NUM_RUNS;
  const numRuns = runsRaw === undefined || runsRaw === '' ? undefined : Number(runsRaw);
  if (numRuns !== undefined && !(Number.isSafeInteger(numRuns) && numRuns > 0)) {
    throw new Error(`HEADROOM_NUM_RUNS must be a positive integer, got ${JSON.stringify(runsRaw)}`);
  }
  project.provide('headroomSeed', seed);
  project.provide('headroomNumRuns', numRuns);
  process.stdout.write(
    `[headroom] property seed ${seed} (replay with HEADROOM_SEED=${seed}) in ${project.config.root}\n`,
  );
}
