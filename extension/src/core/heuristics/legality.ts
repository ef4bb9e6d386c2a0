// The kernel's side of candidate checking, taken from kernelRules.ts (the mirror of the kernel's
// static_asserts and shared-memory layout, owned with the kernel). Policy never re-derives these;
// this file only adapts them to the shapes the enumeration works with.

import type { GemmConfig, GemmProblem, KernelKind } from '../../../protocol/worker';
import {
  defaultSwizzleD,
  MIN_STAGES,
  type RuleViolation,
  firstViolation,
  maxStagesThatFit as kernelMaxStages,
  sharedMemoryBytes,
  threadCount,
} from '../kernelRules';
import type { PolicyDevice } from './device';

/** The fewest stages the kernel accepts. */
export const KERNEL_MIN_STAGES = MIN_STAGES;

/** A rejected candidate's rule code and sentence (the kernel's rules and policy's share the shape). */
export type Rejection = RuleViolation;

/** Dynamic shared memory the kernel lays out for this config and problem (bytes). */
export function kernelSharedBytes(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'numStages' | 'splitK'>,
  problem: GemmProblem,
): number {
  return sharedMemoryBytes(config, problem);
}

/** The most stages (≤ cap) that fit the device's shared memory; 0 when not even one does. */
export function kernelStagesThatFit(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'splitK'>,
  problem: GemmProblem,
  device: PolicyDevice,
  cap: number,
): number {
  return kernelMaxStages(config, problem, device.sharedMemoryBytes, cap);
}

/** Swizzle widths (bytes) for A, B and D: A/B K-rows are 128 bytes; D only for BF16 output. */
export function kernelSwizzles(blockN: number, kind: KernelKind): { a: number; b: number; d: number } {
  const fp32Out = kind === 'wgrad' || kind === 'kgrouped';
  return { a: 128, b: 128, d: fp32Out ? 0 : defaultSwizzleD(blockN) };
}

export function kernelThreads(numMathWarpgroups: number): number {
  return threadCount(numMathWarpgroups);
}

/** The first kernel rule the config breaks for this problem on this device, if any. */
export function kernelViolation(config: GemmConfig, problem: GemmProblem, device: PolicyDevice): Rejection | undefined {
  return firstViolation(problem.kind, config, problem, { capacity: device.sharedMemoryBytes }) ?? undefined;
}
