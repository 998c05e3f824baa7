import { execFile, type ChildProcess, type ExecFileException } from 'node:child_process';
import {
  HeadroomError,
  err,
  isHeadroomError,
  ok,
  systemClock,
  type Clock,
  type ErrorPath,
  type InstanceObservation,
  type MetricReadOptions,
  type MetricSource,
  type Result,
} from '@headroom/core';
import { configNumber } from '../internal/options.js';
import { NVIDIA_SMI_DEFAULT_FIELDS, checkFields, type NvidiaSmiField } from './fields.js';
import { parseNvidiaSmiCsv } from './parse.js';

/** Options of {@link createNvidiaSmiSource}. */
export interface NvidiaSmiSourceOptions {
  /** The instance (host, pod as `namespace/pod`) whose GPUs this source reads. Non-empty. */
  readonly instanceId: string;
  /**
   * The executable to run: a name looked up on the `PATH` of {@link NvidiaSmiSourceOptions.env},
   * or a path. It is run directly, never through a shell.
   *
   * @defaultValue `'nvidia-smi'`
   */
  readonly binary?: string;
  /**
   * How long one read may take, ms, before the process is killed (SIGKILL) and the read fails
   * with `timeout`. An integer in 1..2147483647.
   *
   * @defaultValue 5000
   */
  readonly timeoutMs?: number;
  /**
   * The environment of the process (and the `PATH` the binary is looked up on).
   *
   * @defaultValue `process.env`
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The clock that stamps each observation (`observedAtMs`, and every sample's `sampledAtMs`)
   * when the process finishes.
   *
   * @defaultValue `systemClock` from `@headroom/core`
   */
  readonly clock?: Clock;
  /**
   * The `--query-gpu` fields to ask for, in column order; must name `uuid` or `index`.
   *
   * @defaultValue {@link NVIDIA_SMI_DEFAULT_FIELDS}
   */
  readonly fields?: readonly NvidiaSmiField[];
  /**
   * The most output accepted on stdout (and on stderr), bytes; more fails the read with
   * `invalid_input`. An integer in 1..1073741824 (1 GiB).
   *
   * @defaultValue 1048576 (1 MiB)
   */
  readonly maxOutputBytes?: number;
}

interface ResolvedOptions {
  readonly instanceId: string;
  readonly binary: string;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly clock: Clock;
  readonly fields: readonly NvidiaSmiField[];
  readonly maxOutputBytes: number;
}

const DEFAULT_BINARY = 'nvidia-smi';
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_OUTPUT_BYTES = 1_048_576;
/** How long after its timeout a killed process may take to close its pipes before we stop waiting. */
const KILL_GRACE_MS = 1000;

function configError(
  message: string,
  path: ErrorPath,
  value: unknown,
  limit: string,
): HeadroomError {
  return new HeadroomError({ code: 'invalid_config', message, path, value, limit });
}

function resolveOptions(options: NvidiaSmiSourceOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw configError('must be an options object', [], options, 'object');
  }
  const { instanceId, binary = DEFAULT_BINARY, env, clock = systemClock } = options;
  if (typeof instanceId !== 'string' || instanceId === '') {
    throw configError('must be a non-empty string', ['instanceId'], instanceId, 'non-empty string');
  }
  if (typeof binary !== 'string' || binary === '' || binary.includes('\0')) {
    throw configError(
      'must be a non-empty executable name or path (without NUL bytes)',
      ['binary'],
      binary,
      'non-empty string',
    );
  }
  if (env !== undefined && (typeof env !== 'object' || env === null)) {
    throw configError('must be an environment object', ['env'], env, 'object');
  }
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof (clock as { now?: unknown }).now !== 'function'
  ) {
    throw configError('must be a Clock (an object with now())', ['clock'], clock, 'Clock');
  }
  return Object.freeze({
    instanceId,
    binary,
    env,
    clock,
    timeoutMs: configNumber(options.timeoutMs, DEFAULT_TIMEOUT_MS, ['timeoutMs'], {
      integer: true,
      min: 1,
      max: 2_147_483_647,
    }),
    maxOutputBytes: configNumber(
      options.maxOutputBytes,
      DEFAULT_MAX_OUTPUT_BYTES,
      ['maxOutputBytes'],
      { integer: true, min: 1, max: 1_073_741_824 },
    ),
    fields:
      options.fields === undefined
        ? NVIDIA_SMI_DEFAULT_FIELDS
        : checkFields(options.fields, 'invalid_config', ['fields']),
  });
}

function firstLine(text: string): string | undefined {
  for (const line of text.split(/\r\n|\n|\r/)) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return undefined;
}

function abortError(signal: AbortSignal | undefined, config: ResolvedOptions): HeadroomError {
  return new HeadroomError({
    code: 'timeout',
    message: `the read of ${config.binary} was aborted by its signal`,
    ...(signal?.reason === undefined ? {} : { cause: signal.reason }),
  });
}

function timeoutError(config: ResolvedOptions, cause?: unknown): HeadroomError {
  return new HeadroomError({
    code: 'timeout',
    message: `${config.binary} did not finish within ${config.timeoutMs} ms and was killed`,
    limit: `${config.timeoutMs} ms`,
    ...(cause === undefined ? {} : { cause }),
  });
}

function fromExecError(
  error: ExecFileException,
  stdout: string,
  stderr: string,
  config: ResolvedOptions,
  signal: AbortSignal | undefined,
): HeadroomError {
  const { binary } = config;
  if (error.name === 'AbortError' || signal?.aborted === true) return abortError(signal, config);
  if (error.code === 'ENOENT') {
    const where = /[\\/]/.test(binary)
      ? `at ${binary}`
      : `on PATH (looked for ${JSON.stringify(binary)})`;
    return new HeadroomError({
      code: 'unavailable',
      message: `nvidia-smi was not found ${where}: the NVIDIA driver or toolkit is not installed, or PATH does not include it`,
      path: ['binary'],
      value: binary,
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new HeadroomError({
      code: 'unavailable',
      message: `${binary} is not executable (permission denied)`,
      path: ['binary'],
      value: binary,
      cause: error,
    });
  }
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new HeadroomError({
      code: 'invalid_input',
      message: `${binary} printed more than maxOutputBytes (${config.maxOutputBytes} bytes)`,
      limit: `<= ${config.maxOutputBytes} bytes`,
      cause: error,
    });
  }
  if (error.killed === true) return timeoutError(config, error);
  if (typeof error.code === 'number') {
    const said = firstLine(stderr) ?? firstLine(stdout) ?? '(no output)';
    return new HeadroomError({
      code: 'unavailable',
      message: `${binary} exited with code ${error.code}: ${said}`,
      cause: error,
    });
  }
  if (typeof error.signal === 'string') {
    return new HeadroomError({
      code: 'unavailable',
      message: `${binary} was terminated by ${error.signal}`,
      cause: error,
    });
  }
  return new HeadroomError({
    code: 'unavailable',
    message: `${binary} could not be run: ${error.message}`,
    cause: error,
  });
}

function observe(stdout: string, config: ResolvedOptions): Result<readonly InstanceObservation[]> {
  const observedAtMs = config.clock.now();
  if (typeof observedAtMs !== 'number' || !Number.isFinite(observedAtMs) || observedAtMs < 0) {
    return err(
      configError(
        'clock.now() must return epoch ms (finite, >= 0)',
        ['clock'],
        observedAtMs,
        '>= 0',
      ),
    );
  }
  const gpus = parseNvidiaSmiCsv(stdout, { sampledAtMs: observedAtMs, fields: config.fields });
  if (!gpus.ok) return gpus;
  return ok([Object.freeze({ instanceId: config.instanceId, observedAtMs, gpus: gpus.value })]);
}

function readOnce(
  config: ResolvedOptions,
  args: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Result<readonly InstanceObservation[]>> {
  if (signal?.aborted === true) return Promise.resolve(err(abortError(signal, config)));
  return new Promise((resolve) => {
    let settled = false;
    let child: ChildProcess | undefined;
    const settle = (result: Result<readonly InstanceObservation[]>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    // Once we stop waiting, close our ends of the pipes: a grandchild (a wrapper script's child)
    // that inherited them must not keep their descriptors, and execFile's buffers, alive.
    const release = (): void => {
      for (const pipe of [child?.stdout, child?.stderr, child?.stdin]) {
        try {
          pipe?.destroy();
        } catch {
          // Already closed.
        }
      }
    };
    // execFile's own timeout kills the process, but its callback waits for the pipes to close,
    // which a grandchild can hold open: stop waiting a little later.
    const guard = setTimeout(() => {
      child?.kill('SIGKILL');
      settle(err(timeoutError(config)));
      release();
    }, config.timeoutMs + KILL_GRACE_MS);
    guard.unref();
    const onAbort = (): void => {
      settle(err(abortError(signal, config)));
      release();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      child = execFile(
        config.binary,
        args,
        {
          encoding: 'utf8',
          timeout: config.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: config.maxOutputBytes,
          windowsHide: true,
          shell: false,
          ...(config.env === undefined ? {} : { env: config.env }),
          ...(signal === undefined ? {} : { signal }),
        },
        (error, stdout, stderr) => {
          if (settled) return;
          try {
            settle(
              error === null
                ? observe(stdout, config)
                : err(fromExecError(error, stdout, stderr, config, signal)),
            );
          } catch (thrown) {
            settle(err(internalError(thrown, config)));
          }
        },
      );
    } catch (thrown) {
      settle(
        err(
          new HeadroomError({
            code: 'unavailable',
            message: `${config.binary} could not be started: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
            cause: thrown,
          }),
        ),
      );
    }
  });
}

function internalError(thrown: unknown, config: ResolvedOptions): HeadroomError {
  return isHeadroomError(thrown)
    ? thrown
    : new HeadroomError({
        code: 'internal',
        message: `unexpected failure reading ${config.binary}: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
        cause: thrown,
      });
}

/**
 * A `MetricSource` (from `@headroom/core`) that runs `nvidia-smi` once per read and
 * reports the host's GPUs as one observation: `[{ instanceId, observedAtMs, gpus }]`.
 *
 * Each read runs `<binary> --query-gpu=<fields joined by ,> --format=csv,noheader,nounits`
 * with `execFile` (no shell), a timeout and an output cap, and parses the output with
 * {@link parseNvidiaSmiCsv}. Values nvidia-smi cannot report are `undefined` in the samples.
 *
 * `read` never throws and never rejects; failures are `{ ok: false, error }` with a
 * `HeadroomError` (from `@headroom/core`):
 *
 * - `unavailable`: the binary is not on `PATH` (the NVIDIA driver or toolkit is not installed),
 *   is not executable, or exited non-zero (the message quotes its first stderr line, for example
 *   `NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver`).
 * - `timeout`: it did not finish within `timeoutMs`, or `options.signal` aborted the read.
 * - `invalid_input`: it printed more than `maxOutputBytes`, or output that does not parse (the
 *   error names the line).
 *
 * @param options - the instance id and how to run nvidia-smi.
 * @returns a source named `nvidia-smi <instanceId>`.
 * @throws `HeadroomError` (from `@headroom/core`) `invalid_config` when an option is invalid:
 * `instanceId` or `binary` empty, `timeoutMs` or `maxOutputBytes` not an integer in range,
 * `env` or `clock` of the wrong type, `fields` empty, unknown, duplicated or without
 * `uuid`/`index`. The error's `path` names the option.
 * @example
 * ```ts
 * const source = createNvidiaSmiSource({ instanceId: 'gpu-node-1', timeoutMs: 3000 });
 * const result = await source.read({ signal: AbortSignal.timeout(5000) });
 * if (result.ok) {
 *   for (const gpu of result.value[0]?.gpus ?? []) console.log(gpu.gpuId, gpu.utilization);
 * } else if (result.error.code === 'unavailable') {
 *   // no driver on this host: hold, do not scale on missing data
 * }
 * ```
 */
export function createNvidiaSmiSource(options: NvidiaSmiSourceOptions): MetricSource {
  const config = resolveOptions(options);
  const args = Object.freeze([
    `--query-gpu=${config.fields.join(',')}`,
    '--format=csv,noheader,nounits',
  ]);
  return Object.freeze({
    name: `nvidia-smi ${config.instanceId}`,
    read: (readOptions?: MetricReadOptions): Promise<Result<readonly InstanceObservation[]>> =>
      readOnce(config, args, readOptions?.signal).catch((thrown: unknown) =>
        err(internalError(thrown, config)),
      ),
  });
}
