import { HeadroomError, hashString32 } from '@headroom/core';
import type { MigPlacement } from './validate.js';

/** The minimum a layout needs for export: a GPU id and its instances. */
export interface MigExportLayout {
  /** GPU id; by default read as `<node>/<deviceIndex>` (see {@link toMigPartedConfig}). */
  readonly gpuId: string;
  /** Instances serving demands. */
  readonly placements: readonly MigPlacement[];
  /** Instances serving nothing; they exist on the GPU all the same. @defaultValue [] */
  readonly unassigned?: readonly MigPlacement[];
}

/** Where a GPU sits: its Kubernetes node and its device index on that node (as nvidia-smi numbers it). */
export interface MigGpuLocation {
  /** Node name. */
  readonly node: string;
  /** Device index on the node, integer >= 0. */
  readonly deviceIndex: number;
}

/** Options of {@link toMigPartedConfig}. */
export interface MigPartedOptions {
  /**
   * Maps a GPU id to its node and device index.
   * @defaultValue `<node>/<index>` ids split at the last `/`; any other id is a one-GPU node (index 0)
   */
  readonly locate?: (gpuId: string) => MigGpuLocation;
  /** Prefix of generated config names. @defaultValue 'headroom' */
  readonly namePrefix?: string;
}

/** One entry of a mig-parted config: which devices, and the instances to create on each. */
export interface MigPartedEntry {
  /** `'all'` or the device indices this entry applies to. */
  readonly devices: 'all' | readonly number[];
  /** Instance count per profile name. */
  readonly migDevices: Readonly<Record<string, number>>;
}

/** One named mig-parted config. */
export interface MigPartedConfig {
  /** Config name, also the value of the node label `nvidia.com/mig.config`. */
  readonly name: string;
  /** Its entries. */
  readonly entries: readonly MigPartedEntry[];
}

/** The output of {@link toMigPartedConfig}. */
export interface MigPartedOutput {
  /** The mig-parted config file (`version: v1`, `mig-configs:`), deterministic YAML. */
  readonly yaml: string;
  /** The distinct configs, in the YAML's order. */
  readonly configs: readonly MigPartedConfig[];
  /** Per node, the labels to set: `{ 'nvidia.com/mig.config': name }`. */
  readonly nodeLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The node label the NVIDIA k8s-mig-manager watches to pick a mig-parted config. */
export const MIG_CONFIG_LABEL = 'nvidia.com/mig.config';

function defaultLocate(gpuId: string): MigGpuLocation {
  const slash = gpuId.lastIndexOf('/');
  if (slash > 0) {
    const idx = gpuId.slice(slash + 1);
    if (/^\d+$/.test(idx)) return { node: gpuId.slice(0, slash), deviceIndex: Number(idx) };
  }
  return { node: gpuId, deviceIndex: 0 };
}

/** Profiles ordered large first (by the leading `<n>g`, then memory in the name), then by name. */
function profileOrder(a: string, b: string): number {
  const ga = Number.parseInt(a, 10);
  const gb = Number.parseInt(b, 10);
  const ma = Number.parseFloat(a.slice(a.indexOf('.') + 1));
  const mb = Number.parseFloat(b.slice(b.indexOf('.') + 1));
  return (
    (Number.isFinite(gb) ? gb : 0) - (Number.isFinite(ga) ? ga : 0) ||
    (Number.isFinite(mb) ? mb : 0) - (Number.isFinite(ma) ? ma : 0) ||
    (a < b ? -1 : a > b ? 1 : 0)
  );
}

function countProfiles(l: MigExportLayout): Record<string, number> {
  const counts = new Map<string, number>();
  for (const p of [...l.placements, ...(l.unassigned ?? [])]) {
    counts.set(p.profile, (counts.get(p.profile) ?? 0) + 1);
  }
  const out: Record<string, number> = {};
  for (const name of [...counts.keys()].sort(profileOrder)) out[name] = counts.get(name) as number;
  return out;
}

function signature(devices: Record<string, number>): string {
  return Object.entries(devices)
    .map(([k, v]) => `${k}-x${v}`)
    .join('-');
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends. */
function labelSafe(text: string): string {
  return text.replace(/\+/g, '-').replace(/[^A-Za-z0-9._-]/g, '-');
}

function yamlKey(key: string): string {
  return `'${key.replace(/'/g, "''")}'`;
}

function emitYaml(configs: readonly MigPartedConfig[]): string {
  const lines: string[] = ['version: v1', 'mig-configs:'];
  for (const c of configs) {
    lines.push(`  ${yamlKey(c.name)}:`);
    for (const e of c.entries) {
      lines.push(
        `    - devices: ${e.devices === 'all' ? 'all' : `[${e.devices.join(', ')}]`}`,
        '      mig-enabled: true',
      );
      const entries = Object.entries(e.migDevices);
      if (entries.length === 0) {
        lines.push('      mig-devices: {}');
      } else {
        lines.push('      mig-devices:');
        for (const [k, v] of entries) lines.push(`        ${yamlKey(k)}: ${v}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Renders layouts as an NVIDIA mig-parted config file plus the node labels that select it (the
 * k8s-mig-manager applies the config named by a node's `nvidia.com/mig.config` label; it clears
 * and recreates every instance on a GPU whose config changes, and drains nothing for you).
 *
 * mig-parted configs apply to a whole node, so one config is emitted per distinct NODE layout:
 * - every GPU of the node has the same instances and the node's GPUs listed are indices 0..n-1:
 *   one entry `devices: all`, named after its content, e.g. `headroom-3g.40gb-x1-2g.20gb-x2`
 *   (profiles large first; `+` becomes `-` to stay a valid label value);
 * - otherwise one entry per distinct GPU layout with an explicit `devices: [i, ...]` list, named
 *   `headroom-node-<8 hex digits>` (a hash of the entries); so is any name over 63 characters.
 * Nodes with identical configs share one name. Unassigned instances are included: they exist.
 * A GPU is located by `options.locate`, by default `<node>/<deviceIndex>` ids.
 *
 * @throws `HeadroomError` `invalid_input` when two layouts claim the same node and device
 * index, or `locate` returns a bad index.
 * @example
 * ```ts
 * const { yaml, nodeLabels } = toMigPartedConfig([
 *   { gpuId: 'node-a/0', placements: [{ profile: '3g.40gb', start: 4 }, { profile: '4g.40gb', start: 0 }] },
 * ]);
 * // nodeLabels['node-a'] -> { 'nvidia.com/mig.config': 'headroom-4g.40gb-x1-3g.40gb-x1' }
 * ```
 */
export function toMigPartedConfig(
  layouts: readonly MigExportLayout[],
  options: MigPartedOptions = {},
): MigPartedOutput {
  const locate = options.locate ?? defaultLocate;
  const prefix = labelSafe(options.namePrefix ?? 'headroom');
  const nodes = new Map<string, Map<number, Record<string, number>>>();
  layouts.forEach((l, i) => {
    const loc = locate(l.gpuId);
    if (!Number.isInteger(loc.deviceIndex) || loc.deviceIndex < 0) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `GPU ${l.gpuId} maps to device index ${String(loc.deviceIndex)}; it must be an integer >= 0`,
        path: ['layouts', i, 'gpuId'],
        value: loc.deviceIndex,
      });
    }
    let devices = nodes.get(loc.node);
    if (devices === undefined) {
      devices = new Map();
      nodes.set(loc.node, devices);
    }
    if (devices.has(loc.deviceIndex)) {
      throw new HeadroomError({
        code: 'invalid_input',
        message: `two layouts map to node ${loc.node} device ${loc.deviceIndex}`,
        path: ['layouts', i, 'gpuId'],
        value: l.gpuId,
      });
    }
    devices.set(loc.deviceIndex, countProfiles(l));
  });

  const byName = new Map<string, MigPartedConfig>();
  const nodeLabels: Record<string, Record<string, string>> = {};
  for (const node of [...nodes.keys()].sort()) {
    const devices = nodes.get(node) as Map<number, Record<string, number>>;
    const indices = [...devices.keys()].sort((a, b) => a - b);
    const groups = new Map<string, { devices: number[]; migDevices: Record<string, number> }>();
    for (const idx of indices) {
      const mig = devices.get(idx) as Record<string, number>;
      const sig = signature(mig);
      const g = groups.get(sig);
      if (g === undefined) groups.set(sig, { devices: [idx], migDevices: mig });
      else g.devices.push(idx);
    }
    const contiguous = indices.every((x, k) => x === k);
    let config: MigPartedConfig;
    const only = groups.size === 1 ? [...groups.values()][0] : undefined;
    if (only !== undefined && contiguous) {
      const sig = signature(only.migDevices);
      let name = labelSafe(`${prefix}-${sig === '' ? 'empty' : sig}`);
      if (name.length > 63)
        name = `${prefix}-${(hashString32(sig) >>> 0).toString(16).padStart(8, '0')}`;
      config = { name, entries: [{ devices: 'all', migDevices: only.migDevices }] };
    } else {
      const entries: MigPartedEntry[] = [...groups.values()]
        .sort((a, b) => (a.devices[0] as number) - (b.devices[0] as number))
        .map((g) => ({ devices: g.devices, migDevices: g.migDevices }));
      const canonical = entries
        .map((e) => `${(e.devices as number[]).join(',')}:${signature(e.migDevices)}`)
        .join('|');
      const name = `${prefix}-node-${(hashString32(canonical) >>> 0).toString(16).padStart(8, '0')}`;
      config = { name, entries };
    }
    if (!byName.has(config.name)) byName.set(config.name, config);
    nodeLabels[node] = { [MIG_CONFIG_LABEL]: config.name };
  }
  const configs = [...byName.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return { yaml: emitYaml(configs), configs, nodeLabels };
}

/**
 * The Kubernetes extended resources that request these MIG instances under the NVIDIA device
 * plugin's `mixed` strategy, where each profile is its own resource `nvidia.com/mig-<profile>`.
 * Keys are sorted; counts add up.
 *
 * @example
 * ```ts
 * toKubernetesResources([{ profile: '3g.40gb', start: 0 }]); // { 'nvidia.com/mig-3g.40gb': 1 }
 * ```
 */
export function toKubernetesResources(
  placements: readonly Pick<MigPlacement, 'profile'>[],
): Readonly<Record<string, number>> {
  const counts = new Map<string, number>();
  for (const p of placements) {
    const key = `nvidia.com/mig-${p.profile}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) out[key] = counts.get(key) as number;
  return out;
}
