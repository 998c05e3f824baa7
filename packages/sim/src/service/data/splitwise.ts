// Generated once from the repository's shared data `perf/splitwise_perf_model.csv` (MIT,
// Mutinifni/splitwise-sim `data/perf_model.csv`; see shared/data/SOURCES.md). Do not edit by hand.
//
// How it was generated (a throwaway Node script, kept out of the package): rows are grouped by
// (model, hardware, tensor_parallel). `prefillMs` holds, for each prompt_size, the median
// prompt_time (ms) over every batch_size = 1 row (all repeats and token sizes: token_size does not
// change prompt_time beyond noise). `decodeStepMs` holds, for each batch_size, the median
// token_time (ms per decode step of the whole batch) over every prompt_size = 512 row. Values are
// rounded to 1 us. The service model (../service-model.ts) interpolates over these points.

/** One profiled (model, hardware, tensor parallelism) combination of the Splitwise perf model. */
export interface SplitwiseProfile {
  /** Model name as the data spells it, e.g. `llama2-70b`. */
  readonly model: string;
  /** Hardware as the data spells it, e.g. `h100-80gb` (`-pcap`: power-capped). */
  readonly hardware: string;
  /** GPUs in one tensor-parallel group (one replica). */
  readonly tensorParallel: number;
  /** `[promptTokens, ms]` at batch 1: prefill time of one prompt, by prompt size. */
  readonly prefillMs: readonly (readonly [number, number])[];
  /** `[batch, ms]` at prompt 512: time of one decode step of the whole batch, by batch size. */
  readonly decodeStepMs: readonly (readonly [number, number])[];
}

/** The Splitwise profiles, sorted by model, hardware and tensor parallelism. */
export const SPLITWISE_PROFILES: readonly SplitwiseProfile[] = [
  {
    model: 'bloom-176b',
    hardware: 'a100-80gb',
    tensorParallel: 8,
    prefillMs: [
      [128, 79.668],
      [256, 99.164],
      [512, 174.382],
      [1024, 289.191],
      [2048, 540.412],
      [4096, 1348.173],
      [8192, 3593.167],
    ],
    decodeStepMs: [
      [1, 49.313],
      [2, 49.991],
      [4, 51.004],
      [8, 52.953],
      [16, 57.341],
      [32, 65.38],
      [64, 96.583],
    ],
  },
  {
    model: 'bloom-176b',
    hardware: 'h100-80gb-pcap',
    tensorParallel: 8,
    prefillMs: [
      [128, 62.77],
      [256, 66.533],
      [512, 98.984],
      [1024, 172.403],
      [2048, 329.047],
      [4096, 895.304],
      [8192, 1996.014],
    ],
    decodeStepMs: [
      [1, 36.166],
      [2, 36.912],
      [4, 38.058],
      [8, 38.142],
      [16, 40.64],
      [32, 45.842],
      [64, 63.821],
    ],
  },
  {
    model: 'bloom-176b',
    hardware: 'h100-80gb',
    tensorParallel: 8,
    prefillMs: [
      [128, 48.284],
      [256, 51.179],
      [512, 76.142],
      [1024, 132.618],
      [2048, 253.113],
      [4096, 688.695],
      [8192, 1535.395],
    ],
    decodeStepMs: [
      [1, 36.166],
      [2, 36.912],
      [4, 38.058],
      [8, 38.142],
      [16, 40.64],
      [32, 45.842],
      [64, 63.821],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'a100-80gb',
    tensorParallel: 2,
    prefillMs: [
      [128, 81.076],
      [256, 112.932],
      [512, 195.48],
      [1024, 377.058],
      [2048, 688.054],
      [4096, 1485.347],
      [8192, 2990.181],
    ],
    decodeStepMs: [
      [1, 59.892],
      [2, 59.924],
      [4, 60.521],
      [8, 61.692],
      [16, 65.462],
      [32, 72.19],
      [64, 67.243],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'a100-80gb',
    tensorParallel: 4,
    prefillMs: [
      [128, 63.654],
      [256, 78.571],
      [512, 126.971],
      [1024, 227.083],
      [2048, 403.334],
      [4096, 965.15],
      [8192, 2278.451],
    ],
    decodeStepMs: [
      [1, 44.515],
      [2, 45.005],
      [4, 45.085],
      [8, 45.799],
      [16, 48.518],
      [32, 52.345],
      [64, 72.947],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'a100-80gb',
    tensorParallel: 8,
    prefillMs: [
      [128, 65.347],
      [256, 66.757],
      [512, 93.016],
      [1024, 154.458],
      [2048, 274.222],
      [4096, 661.222],
      [8192, 1549.82],
    ],
    decodeStepMs: [
      [1, 45.033],
      [2, 44.559],
      [4, 45.792],
      [8, 46.465],
      [16, 50.435],
      [32, 53.017],
      [64, 71.605],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'h100-80gb-pcap',
    tensorParallel: 2,
    prefillMs: [
      [128, 62.831],
      [256, 67.404],
      [512, 108.975],
      [1024, 205.335],
      [2048, 403.412],
      [4096, 835.46],
      [8192, 1741.794],
    ],
    decodeStepMs: [
      [1, 37.106],
      [2, 37.389],
      [4, 39.982],
      [8, 40.405],
      [16, 41.972],
      [32, 52.296],
      [64, 42.301],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'h100-80gb-pcap',
    tensorParallel: 4,
    prefillMs: [
      [128, 63.812],
      [256, 66.27],
      [512, 77.632],
      [1024, 137.295],
      [2048, 260.885],
      [4096, 602.492],
      [8192, 1239.656],
    ],
    decodeStepMs: [
      [1, 29.38],
      [2, 29.98],
      [4, 29.921],
      [8, 31.436],
      [16, 32.843],
      [32, 36.885],
      [64, 52.356],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'h100-80gb-pcap',
    tensorParallel: 8,
    prefillMs: [
      [128, 75.641],
      [256, 67.156],
      [512, 70.015],
      [1024, 101.287],
      [2048, 177.837],
      [4096, 507.378],
      [8192, 1098.351],
    ],
    decodeStepMs: [
      [1, 30.562],
      [2, 30.262],
      [4, 31.786],
      [8, 32.504],
      [16, 34.166],
      [32, 38.619],
      [64, 50.161],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'h100-80gb',
    tensorParallel: 2,
    prefillMs: [
      [128, 48.331],
      [256, 51.849],
      [512, 83.827],
      [1024, 157.95],
      [2048, 310.317],
      [4096, 642.662],
      [8192, 1339.842],
    ],
    decodeStepMs: [
      [1, 37.106],
      [2, 37.389],
      [4, 39.982],
      [8, 40.405],
      [16, 41.972],
      [32, 52.296],
      [64, 42.301],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'h100-80gb',
    tensorParallel: 4,
    prefillMs: [
      [128, 49.086],
      [256, 50.977],
      [512, 59.717],
      [1024, 105.612],
      [2048, 200.681],
      [4096, 463.455],
      [8192, 953.582],
    ],
    decodeStepMs: [
      [1, 29.38],
      [2, 29.98],
      [4, 29.921],
      [8, 31.436],
      [16, 32.843],
      [32, 36.885],
      [64, 52.356],
    ],
  },
  {
    model: 'llama2-70b',
    hardware: 'h100-80gb',
    tensorParallel: 8,
    prefillMs: [
      [128, 58.185],
      [256, 51.659],
      [512, 53.858],
      [1024, 77.913],
      [2048, 136.797],
      [4096, 390.291],
      [8192, 844.885],
    ],
    decodeStepMs: [
      [1, 30.562],
      [2, 30.262],
      [4, 31.786],
      [8, 32.504],
      [16, 34.166],
      [32, 38.619],
      [64, 50.161],
    ],
  },
];
