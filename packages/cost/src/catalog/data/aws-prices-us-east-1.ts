// Generated from the repository's shared data `gpu/aws-prices-us-east-1.json` (see its SOURCES.md). Raw facts only:
// the typed, validated catalog is built from these in ../catalog.ts. Do not edit by hand.

/**
 * AWS EC2 on-demand prices for GPU instance types in us-east-1 (AWS Pricing API, 2026-07-20) and the Spot Instance Advisor interruption buckets.
 * Raw, as published with its sources; use the catalog API rather than reading this directly.
 */
export const AWS_PRICES_US_EAST_1_DATA = {
  about:
    "AWS EC2 Linux on-demand prices, us-east-1, USD per hour, as generated from the AWS Pricing API on 2026-07-20 (after AWS's mid-2025 GPU price cuts). Savings Plans: Compute up to 66% off, EC2 Instance up to 72% off (1 or 3 years). Spot: up to 90% off, 2-minute interruption notice. Prices change: treat as defaults a user overrides.",
  region: 'us-east-1',
  asOf: '2026-07-20',
  instances: {
    'g4dn.xlarge': {
      usdPerHour: 0.526,
      gpus: 1,
      gpu: 'T4',
    },
    'g5.xlarge': {
      usdPerHour: 1.006,
      gpus: 1,
      gpu: 'A10G',
    },
    'g5.12xlarge': {
      usdPerHour: 5.672,
      gpus: 4,
      gpu: 'A10G',
    },
    'g5.48xlarge': {
      usdPerHour: 16.288,
      gpus: 8,
      gpu: 'A10G',
    },
    'g6.xlarge': {
      usdPerHour: 0.8048,
      gpus: 1,
      gpu: 'L4',
    },
    'g6.12xlarge': {
      usdPerHour: 4.6016,
      gpus: 4,
      gpu: 'L4',
    },
    'g6.48xlarge': {
      usdPerHour: 13.3504,
      gpus: 8,
      gpu: 'L4',
    },
    'g6e.xlarge': {
      usdPerHour: 1.861,
      gpus: 1,
      gpu: 'L40S',
    },
    'g6e.12xlarge': {
      usdPerHour: 10.49264,
      gpus: 4,
      gpu: 'L40S',
    },
    'g6e.48xlarge': {
      usdPerHour: 30.13118,
      gpus: 8,
      gpu: 'L40S',
    },
    'p4d.24xlarge': {
      usdPerHour: 21.957642,
      gpus: 8,
      gpu: 'A100-40GB',
    },
    'p4de.24xlarge': {
      usdPerHour: 27.44705,
      gpus: 8,
      gpu: 'A100-80GB',
    },
    'p5.4xlarge': {
      usdPerHour: 6.88,
      gpus: 1,
      gpu: 'H100-80GB',
    },
    'p5.48xlarge': {
      usdPerHour: 55.04,
      gpus: 8,
      gpu: 'H100-80GB',
    },
    'p5en.48xlarge': {
      usdPerHour: 63.296,
      gpus: 8,
      gpu: 'H200-141GB',
    },
    'p6-b200.48xlarge': {
      usdPerHour: 113.9328,
      gpus: 8,
      gpu: 'B200-180GB',
    },
  },
  spotInterruptionBuckets: [
    {
      index: 0,
      label: '<5%',
      maxPercent: 5,
    },
    {
      index: 1,
      label: '5-10%',
      maxPercent: 11,
    },
    {
      index: 2,
      label: '10-15%',
      maxPercent: 16,
    },
    {
      index: 3,
      label: '15-20%',
      maxPercent: 22,
    },
    {
      index: 4,
      label: '>20%',
      maxPercent: 100,
    },
  ],
  spotInterruptionBucketsNote:
    'AWS Spot Instance Advisor reports, per instance type and region, the savings percent vs on-demand and the bucket of monthly interruption frequency above.',
} as const;
