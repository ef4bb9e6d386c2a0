// How many CTAs of a kernel fit on one SM, and which resource limits it; used by the register view.
//
// Hopper (sm_90) per-SM limits, from the CUDA C++ Programming Guide's "Compute Capabilities" table:
// 64K 32-bit registers, 2048 resident threads, 32 resident blocks, 228 KB of shared memory of which
// one block may opt in to 227 KB, and 1 KB reserved by the system per resident block.
// Registers are allocated per warp in units of 256 (8 per thread x 32 lanes).
//
// Warp-specialised kernels launch with ptxas' register count for every thread; `setmaxnreg` then
// moves registers between warpgroup roles inside that allocation (the producer gives some up, the
// math warpgroups take them). So occupancy follows the launch allocation, and the per-role split
// must fit inside it — `roleSplit` checks that.

export interface SmLimits {
  registersPerSm: number;
  maxThreadsPerSm: number;
  maxCtasPerSm: number;
  sharedBytesPerSm: number;
  maxSharedBytesPerCta: number;
  reservedSharedBytesPerCta: number;
  registerAllocationUnit: number; // registers per warp, rounded up to this
  maxRegistersPerThread: number;
}

export const HOPPER_SM: SmLimits = {
  registersPerSm: 65536,
  maxThreadsPerSm: 2048,
  maxCtasPerSm: 32,
  sharedBytesPerSm: 233472,
  maxSharedBytesPerCta: 232448,
  reservedSharedBytesPerCta: 1024,
  registerAllocationUnit: 256,
  maxRegistersPerThread: 255,
};

export interface KernelResources {
  /** From ptxas ("Used N registers") or cuFuncGetAttribute(NUM_REGS). */
  registersPerThread: number;
  threadsPerCta: number;
  /** Static (ptxas "bytes smem") plus the dynamic shared memory requested at launch. */
  sharedBytesPerCta: number;
}

export type OccupancyLimiter = 'registers' | 'shared memory' | 'threads' | 'blocks';

export interface Occupancy {
  ctasPerSm: number;
  /** The resource that gives the smallest count (first in this order on ties: registers, shared memory, threads, blocks). */
  limiter: OccupancyLimiter;
  byResource: Record<OccupancyLimiter, number>;
  registersPerCta: number;
  /** Warps resident per SM over the SM's maximum (64 on Hopper). */
  warpOccupancy: number;
  /** Set when the kernel cannot launch at all, saying why. */
  problem?: string;
}

const roundUp = (x: number, unit: number) => Math.ceil(x / unit) * unit;

export function registersPerCta(registersPerThread: number, threadsPerCta: number, limits = HOPPER_SM): number {
  const warps = Math.ceil(threadsPerCta / 32);
  return warps * roundUp(registersPerThread * 32, limits.registerAllocationUnit);
}

export function occupancy(k: KernelResources, limits: SmLimits = HOPPER_SM): Occupancy {
  for (const [name, v] of Object.entries(k)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer; got ${v}`);
  }
  if (k.threadsPerCta < 1) throw new RangeError('threadsPerCta must be at least 1');
  const regsCta = registersPerCta(k.registersPerThread, k.threadsPerCta, limits);
  const byResource: Record<OccupancyLimiter, number> = {
    registers: regsCta > 0 ? Math.floor(limits.registersPerSm / regsCta) : limits.maxCtasPerSm,
    'shared memory':
      k.sharedBytesPerCta > limits.maxSharedBytesPerCta
        ? 0
        : Math.floor(limits.sharedBytesPerSm / (k.sharedBytesPerCta + limits.reservedSharedBytesPerCta)),
    threads: Math.floor(limits.maxThreadsPerSm / k.threadsPerCta),
    blocks: limits.maxCtasPerSm,
  };
  const order: OccupancyLimiter[] = ['registers', 'shared memory', 'threads', 'blocks'];
  let limiter: OccupancyLimiter = order[0];
  for (const r of order) if (byResource[r] < byResource[limiter]) limiter = r;
  const ctasPerSm = byResource[limiter];
  const result: Occupancy = {
    ctasPerSm,
    limiter,
    byResource,
    registersPerCta: regsCta,
    warpOccupancy: (ctasPerSm * Math.ceil(k.threadsPerCta / 32)) / (limits.maxThreadsPerSm / 32),
  };
  if (k.registersPerThread > limits.maxRegistersPerThread) {
    result.problem = `${k.registersPerThread} registers per thread exceeds the limit of ${limits.maxRegistersPerThread}`;
    result.ctasPerSm = 0;
  } else if (ctasPerSm === 0) {
    result.problem =
      limiter === 'shared memory'
        ? `needs ${k.sharedBytesPerCta} bytes of shared memory per CTA; at most ${limits.maxSharedBytesPerCta} fit`
        : limiter === 'registers'
          ? `needs ${regsCta} registers per CTA; the SM has ${limits.registersPerSm}`
          : `needs ${k.threadsPerCta} threads per CTA; the SM holds ${limits.maxThreadsPerSm}`;
  }
  return result;
}

export interface WarpgroupRole {
  name: string; // 'producer' | 'math' ...
  warpgroups: number; // how many warpgroups play this role
  registers: number; // setmaxnreg value (multiple of 8 in 24..256)
}

export interface RoleSplit {
  roles: Array<WarpgroupRole & { registersTotal: number }>;
  /** Registers the roles hold together after setmaxnreg. */
  registersAfterSetmaxnreg: number;
  /** Registers the CTA was launched with (ptxas count x threads). */
  registersAtLaunch: number;
  fits: boolean;
  problem?: string;
}

/**
 * Per-role register use after setmaxnreg, checked against the launch allocation. E.g. the 1D2D
 * kernel with two math warpgroups: producer 40 + 2 x math 232 = 504 per thread-slot x 128
 * = 64512 registers, which ptxas reports as 168 per thread for 384 threads.
 */
export function roleSplit(roles: WarpgroupRole[], launchRegistersPerThread: number, limits = HOPPER_SM): RoleSplit {
  const problems: string[] = [];
  const withTotals = roles.map((r) => {
    if (!Number.isInteger(r.registers) || r.registers < 24 || r.registers > 256 || r.registers % 8 !== 0) {
      problems.push(`setmaxnreg value for the ${r.name} role must be a multiple of 8 in 24..256; got ${r.registers}`);
    }
    return { ...r, registersTotal: r.registers * 128 * r.warpgroups };
  });
  const threads = 128 * roles.reduce((s, r) => s + r.warpgroups, 0);
  const after = withTotals.reduce((s, r) => s + r.registersTotal, 0);
  const atLaunch = registersPerCta(launchRegistersPerThread, threads, limits);
  if (after > atLaunch) {
    problems.push(`the roles need ${after} registers after setmaxnreg but the CTA was launched with ${atLaunch}`);
  }
  if (after > limits.registersPerSm)
    problems.push(`the roles need ${after} registers; the SM has ${limits.registersPerSm}`);
  return {
    roles: withTotals,
    registersAfterSetmaxnreg: after,
    registersAtLaunch: atLaunch,
    fits: problems.length === 0,
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  };
}
