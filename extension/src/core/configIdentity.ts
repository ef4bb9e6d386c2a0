// When two tile configs are "the same": two questions with two names.
import type { GemmConfig } from '../../protocol/domain';

/** Every field equal (property order in JSON may differ between producers): the same record. */
export function identicalConfigs(a: GemmConfig, b: GemmConfig): boolean {
  const keys = Object.keys(a) as (keyof GemmConfig)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * The same kernel and launch: equal in what selects the compiled kernel and its grid (tile, stages,
 * math warpgroups and their schedule, cluster, swizzle of D, split-K, SM count), whatever the derived fields (shared
 * bytes, threads) say. What tuning ranks and the config listing marks as chosen.
 */
export function sameKernelConfig(a: GemmConfig, b: GemmConfig): boolean {
  return (
    a.blockM === b.blockM &&
    a.blockN === b.blockN &&
    a.numStages === b.numStages &&
    a.numMathWarpgroups === b.numMathWarpgroups &&
    a.clusterM === b.clusterM &&
    a.clusterN === b.clusterN &&
    a.swizzleD === b.swizzleD &&
    (a.splitK ?? 1) === (b.splitK ?? 1) &&
    (a.pingpong ?? 0) === (b.pingpong ?? 0) &&
    (a.dSlabs ?? 0) === (b.dSlabs ?? 0) &&
    a.numSms === b.numSms
  );
}
