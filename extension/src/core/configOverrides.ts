// The config fields a user may force (--config), in the CLI's snake_case spelling: the CLI parses
// with it, and the worker accepts a forced-fields object only with these fields.
import type { ConfigOverrides } from '../../protocol/worker';

export const CONFIG_KEYS = {
  block_m: 'blockM',
  block_n: 'blockN',
  block_k: 'blockK',
  stages: 'numStages',
  num_stages: 'numStages',
  math_wgs: 'numMathWarpgroups',
  num_math_warpgroups: 'numMathWarpgroups',
  cluster_m: 'clusterM',
  cluster_n: 'clusterN',
  swizzle_a: 'swizzleA',
  swizzle_b: 'swizzleB',
  swizzle_d: 'swizzleD',
  num_sms: 'numSms',
  split_k: 'splitK',
  pingpong: 'pingpong',
  d_slabs: 'dSlabs',
} as const satisfies Record<string, keyof ConfigOverrides>;

const FIELDS: ReadonlySet<string> = new Set(Object.values(CONFIG_KEYS));

/** Why a forced-fields object from a message is unusable (undefined: it is fine). */
export function configOverridesProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'config must be an object of config fields (blockM, ...) when given';
  const bad = Object.entries(v).filter(([k, x]) => !FIELDS.has(k) || !Number.isInteger(x) || (x as number) < 0);
  return bad.length
    ? `config: ${bad.map(([k]) => k).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a forcible field with a whole-number value; forcible: ${[...FIELDS].join(', ')}`
    : undefined;
}
