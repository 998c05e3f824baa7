// Generated from the repository's shared data `gpu/mig-geometry.json` (see its SOURCES.md). Raw facts only:
// the typed, validated catalog is built from these in ../catalog.ts. Do not edit by hand.

/**
 * NVIDIA MIG geometry facts (slot classes with valid starts on the memory-slice axis, per-GPU profiles with usable memory).
 * Raw, as published with its sources; use the catalog API rather than reading this directly.
 */
export const MIG_GEOMETRY_DATA = {
  about:
    "MIG geometry facts. Placement is on the MEMORY-slice axis (NVML nvmlGpuInstancePlacement_t {start,size} counts memory slices). Ground truth: nvidia-smi mig -lgipp dumps (A100-40GB in NVIDIA's MIG User Guide; H100-80GB; H100 NVL) and NVIDIA/go-nvml a100/a30 tables. H200/B200 share the 8-slice table by NVIDIA's documented memory fractions (no raw dump seen). NOTE: go-nvml's H100/H200/B200 mock placements are known wrong; do not use them.",
  slotClasses: {
    eightSlice: {
      memorySlices: 8,
      computeSlices: 7,
      classes: {
        '1g': {
          giProfileId: 19,
          computeSlices: 1,
          memorySlices: 1,
          starts: [0, 1, 2, 3, 4, 5, 6],
          maxCount: 7,
        },
        '1g+me': {
          giProfileId: 20,
          computeSlices: 1,
          memorySlices: 1,
          starts: [0, 1, 2, 3, 4, 5, 6],
          maxCount: 1,
          note: 'media extensions (NVDEC/JPEG/OFA); at most one per GPU',
        },
        '1g.2x': {
          giProfileId: 15,
          computeSlices: 1,
          memorySlices: 2,
          starts: [0, 2, 4, 6],
          maxCount: 4,
          note: 'memory-doubled 1g, e.g. 1g.20gb on H100; absent on older drivers',
        },
        '2g': {
          giProfileId: 14,
          computeSlices: 2,
          memorySlices: 2,
          starts: [0, 2, 4],
          maxCount: 3,
        },
        '3g': {
          giProfileId: 9,
          computeSlices: 3,
          memorySlices: 4,
          starts: [0, 4],
          maxCount: 2,
        },
        '4g': {
          giProfileId: 5,
          computeSlices: 4,
          memorySlices: 4,
          starts: [0],
          maxCount: 1,
        },
        '7g': {
          giProfileId: 0,
          computeSlices: 7,
          memorySlices: 8,
          starts: [0],
          maxCount: 1,
        },
      },
      rules: [
        'Instances may not overlap on the memory-slice axis; the sum of compute slices may not exceed 7.',
        'Memory slice 7 is reachable only by 3g@4, 1g.2x@6 and 7g@0.',
        '4g@0 together with 3g@4 needs NVIDIA driver R510 or newer.',
        'A 1g can never start at slice 7, so 2x1g + 2g + 3g fits only with the 3g at slice 4.',
      ],
    },
    fourSlice: {
      memorySlices: 4,
      computeSlices: 4,
      classes: {
        '1g': {
          computeSlices: 1,
          memorySlices: 1,
          starts: [0, 1, 2, 3],
          maxCount: 4,
        },
        '1g+me': {
          computeSlices: 1,
          memorySlices: 1,
          starts: [0, 1, 2, 3],
          maxCount: 1,
        },
        '2g': {
          computeSlices: 2,
          memorySlices: 2,
          starts: [0, 2],
          maxCount: 2,
        },
        '2g+me': {
          computeSlices: 2,
          memorySlices: 2,
          starts: [0, 2],
          maxCount: 1,
        },
        '4g': {
          computeSlices: 4,
          memorySlices: 4,
          starts: [0],
          maxCount: 1,
        },
      },
    },
  },
  gpus: {
    'A100-40GB': {
      geometry: 'eightSlice',
      pciDeviceIds: ['0x20B0', '0x20B1', '0x20F1', '0x20F6'],
      totalSMs: 98,
      profiles: {
        '1g.5gb': {
          class: '1g',
          memoryMiB: 4864,
          sms: 14,
        },
        '1g.5gb+me': {
          class: '1g+me',
          memoryMiB: 4864,
          sms: 14,
        },
        '1g.10gb': {
          class: '1g.2x',
          memoryMiB: 9856,
          sms: 14,
        },
        '2g.10gb': {
          class: '2g',
          memoryMiB: 9856,
          sms: 28,
        },
        '3g.20gb': {
          class: '3g',
          memoryMiB: 19968,
          sms: 42,
        },
        '4g.20gb': {
          class: '4g',
          memoryMiB: 19968,
          sms: 56,
        },
        '7g.40gb': {
          class: '7g',
          memoryMiB: 40192,
          sms: 98,
        },
      },
    },
    'A100-80GB': {
      geometry: 'eightSlice',
      pciDeviceIds: ['0x20B2', '0x20B5', '0x20F3', '0x20F5'],
      totalSMs: 98,
      profiles: {
        '1g.10gb': {
          class: '1g',
          memoryMiB: 9856,
          sms: 14,
        },
        '1g.10gb+me': {
          class: '1g+me',
          memoryMiB: 9856,
          sms: 14,
        },
        '1g.20gb': {
          class: '1g.2x',
          memoryMiB: 19968,
          sms: 14,
        },
        '2g.20gb': {
          class: '2g',
          memoryMiB: 19968,
          sms: 28,
        },
        '3g.40gb': {
          class: '3g',
          memoryMiB: 40192,
          sms: 42,
        },
        '4g.40gb': {
          class: '4g',
          memoryMiB: 40192,
          sms: 56,
        },
        '7g.80gb': {
          class: '7g',
          memoryMiB: 80384,
          sms: 98,
        },
      },
    },
    'H100-80GB': {
      geometry: 'eightSlice',
      pciDeviceIds: ['0x2330', '0x2331'],
      totalSMs: 132,
      profiles: {
        '1g.10gb': {
          class: '1g',
          memoryGiB: 9.75,
          sms: 16,
        },
        '1g.10gb+me': {
          class: '1g+me',
          memoryGiB: 9.75,
          sms: 16,
        },
        '1g.20gb': {
          class: '1g.2x',
          memoryGiB: 19.62,
          sms: 26,
        },
        '2g.20gb': {
          class: '2g',
          memoryGiB: 19.62,
          sms: 32,
        },
        '3g.40gb': {
          class: '3g',
          memoryGiB: 39.5,
          sms: 60,
        },
        '4g.40gb': {
          class: '4g',
          memoryGiB: 39.5,
          sms: 64,
        },
        '7g.80gb': {
          class: '7g',
          memoryGiB: 79.25,
          sms: 132,
        },
      },
    },
    'H100-NVL-94GB': {
      geometry: 'eightSlice',
      pciDeviceIds: ['0x2321'],
      totalSMs: 132,
      profiles: {
        '1g.12gb': {
          class: '1g',
          memoryGiB: 10.75,
          sms: 16,
        },
        '1g.12gb+me': {
          class: '1g+me',
          memoryGiB: 10.75,
          sms: 16,
        },
        '1g.24gb': {
          class: '1g.2x',
          memoryGiB: 21.62,
          sms: 26,
        },
        '2g.24gb': {
          class: '2g',
          memoryGiB: 21.62,
          sms: 32,
        },
        '3g.47gb': {
          class: '3g',
          memoryGiB: 46.38,
          sms: 60,
        },
        '4g.47gb': {
          class: '4g',
          memoryGiB: 46.38,
          sms: 64,
        },
        '7g.94gb': {
          class: '7g',
          memoryGiB: 93.12,
          sms: 132,
        },
      },
    },
    'H200-141GB': {
      geometry: 'eightSlice',
      pciDeviceIds: ['0x2335', '0x233B'],
      totalSMs: 132,
      profiles: {
        '1g.18gb': {
          class: '1g',
          memoryGiB: 16.0,
          sms: 16,
        },
        '1g.18gb+me': {
          class: '1g+me',
          memoryGiB: 16.0,
          sms: 16,
        },
        '1g.35gb': {
          class: '1g.2x',
          memoryGiB: 32.25,
          sms: 26,
        },
        '2g.35gb': {
          class: '2g',
          memoryGiB: 32.25,
          sms: 32,
        },
        '3g.71gb': {
          class: '3g',
          memoryGiB: 69.5,
          sms: 60,
        },
        '4g.71gb': {
          class: '4g',
          memoryGiB: 69.5,
          sms: 64,
        },
        '7g.141gb': {
          class: '7g',
          memoryGiB: 139.75,
          sms: 132,
        },
      },
    },
    'B200-180GB': {
      geometry: 'eightSlice',
      pciDeviceIds: ['0x2901'],
      profiles: {
        '1g.23gb': {
          class: '1g',
          memoryGiB: 22.0,
          sms: 18,
        },
        '1g.23gb+me': {
          class: '1g+me',
          sms: 18,
        },
        '1g.45gb': {
          class: '1g.2x',
          memoryGiB: 44.25,
          sms: 30,
        },
        '2g.45gb': {
          class: '2g',
          memoryGiB: 44.25,
          sms: 36,
        },
        '3g.90gb': {
          class: '3g',
        },
        '4g.90gb': {
          class: '4g',
          note: 'added to NVIDIA tooling in 2025-03',
        },
        '7g.180gb': {
          class: '7g',
        },
      },
    },
    'A30-24GB': {
      geometry: 'fourSlice',
      pciDeviceIds: ['0x20B7'],
      profiles: {
        '1g.6gb': {
          class: '1g',
          memoryMiB: 5836,
          sms: 14,
        },
        '1g.6gb+me': {
          class: '1g+me',
        },
        '2g.12gb': {
          class: '2g',
          memoryMiB: 11672,
          sms: 28,
        },
        '2g.12gb+me': {
          class: '2g+me',
        },
        '4g.24gb': {
          class: '4g',
          memoryMiB: 23344,
          sms: 56,
        },
      },
    },
  },
  memoryNote:
    'Profile names are nominal; usable memory is lower (from nvidia-smi mig -lgip, varies ~0.1-1.5 GiB across drivers). Size models against usable memory.',
  knownCounts: {
    maximalLayoutsEightSlice: 28,
    validNonEmptyMultisetsEightSliceWithoutMe: 77,
    maximalLayoutsA30: 4,
  },
  applying:
    "NVIDIA mig-parted / k8s-mig-manager apply a named config chosen by node label nvidia.com/mig.config (state in nvidia.com/mig.config.state: pending|rebooting|success|failed); a reconfiguration clears the whole GPU and recreates instances largest-first; nothing drains the node for you. mig-parted config shape: version: v1, mig-configs: {NAME: [{devices: all|[idx], mig-enabled: true, mig-devices: {'1g.10gb': 2, '3g.40gb': 1}}]}. Kubernetes mixed strategy exposes resources named nvidia.com/mig-<profile>, e.g. nvidia.com/mig-3g.40gb.",
} as const;
