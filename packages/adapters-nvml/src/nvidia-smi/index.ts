/**
 * The `nvidia-smi` metric source: {@link createNvidiaSmiSource} runs
 * `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`, and {@link parseNvidiaSmiCsv}
 * turns its output into validated `GpuSample`s.
 *
 * @module
 */
export { NVIDIA_SMI_DEFAULT_FIELDS, NVIDIA_SMI_FIELDS, isNvidiaSmiField } from './fields.js';
export type { NvidiaSmiField } from './fields.js';
export { parseNvidiaSmiCsv } from './parse.js';
export type { NvidiaSmiParseOptions } from './parse.js';
export { createNvidiaSmiSource } from './source.js';
export type { NvidiaSmiSourceOptions } from './source.js';
