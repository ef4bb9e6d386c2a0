// The bench pipeline's one door to policy (extension/src/core): shape validation, the config
// (forced, or the heuristic's choice), the generated kernel source and the register report. Kept
// in one file so the pipeline never re-derives a rule the kernel engineers own.
import type {
  ConfigOverrides,
  ConfigReport,
  EnvironmentReport,
  GemmConfig,
  GemmProblem,
  RegisterReport,
  RuntimeSettings,
} from '../../../protocol/worker';
import { chooseConfig, formatConfigReport } from '../../core/heuristics';
import { configReport1d1d } from '../../core/grouped/config';
import { completeConfig1d1d, configViolations1d1d, is1d1dKind } from '../../core/kernelRules1d1d';
import { MAX_HOPPER_SMS, policyDevice as devicePolicy, type PolicyDevice } from '../../core/heuristics/device';
import { completeConfig, configViolations, registerSplit } from '../../core/kernelRules';
import {
  compiledShapeFor,
  gemmKernelSource,
  kernelSource1d1d,
  KernelConfigError,
  type CompiledDims,
  type GemmSourceOptions,
  type KernelSource,
} from '../../core/kernelSource';
import { occupancy } from '../../core/occupancy';
import { chooseWithContext, type ChoiceContext } from '../../core/tuning/choice';
import { findEntry, parsePtxas } from '../../core/ptxas';
import { formatConfig } from '../../core/runRows';
import { validateProblem } from '../../core/shapes';
import { chooseConfigBf16 } from '../../core/bf16/heuristicsBf16';
import {
  completeConfigBf16,
  configViolationsBf16,
  defaultOutputBf16,
  isBf16Kind,
  maxStagesThatFitBf16,
} from '../../core/bf16/kernelRulesBf16';
import { Bf16ConfigError, kernelSourceBf16 } from '../../core/bf16/kernelSourceBf16';
import { coded } from './errors';
import type { Logger } from './jit';

export type { PolicyDevice };
export { formatConfigReport };

export type { ConfigOverrides };

/** The device the heuristics plan for: the Hopper GPU when there is one, else an H100 SXM. */
export function policyDevice(
  settings: RuntimeSettings,
  hopper: EnvironmentReport['devices'][number] | undefined,
): PolicyDevice {
  try {
    return devicePolicy(hopper, settings.numSms);
  } catch (err) {
    throw coded('E_BAD_ARGUMENT', (err as Error).message);
  }
}

/** Validates every problem (before anything runs); throws E_INVALID_SHAPE naming the first bad one. */
export function validateBench(problems: GemmProblem[], env: EnvironmentReport): GemmProblem[] {
  const memoryBytes = env.devices.find((d) => d.isHopper)?.totalMemoryBytes;
  problems.forEach((p, i) => {
    const check = validateProblem(p, memoryBytes ? { memoryBytes } : {});
    const where = problems.length > 1 ? `shape ${i + 1} (${p?.m}x${p?.n}x${p?.k})` : `shape ${p?.m}x${p?.n}x${p?.k}`;
    if (!check.ok) throw coded('E_INVALID_SHAPE', `${where}: ${check.message}`);
    if (isBf16Kind(p.kind)) {
      throw coded(
        'E_INVALID_SHAPE',
        `${where}: BF16 GEMMs are checked and timed by \`fp8lab bench --kernel ${p.kind}\` (the BF16 kinds of "Run grouped GEMM benchmark"), not by the FP8 benchmark`,
      );
    }
    if (p.kind !== 'normal') {
      throw coded(
        'E_INVALID_SHAPE',
        `${where}: this path builds and times the normal FP8 GEMM; ${p.kind} GEMMs are checked and timed by \`fp8lab bench --kernel ${p.kind}\` ("Run grouped GEMM benchmark" in the editor)`,
      );
    }
  });
  return problems;
}

/** Validation for listing candidates and compiling them (configs, compile, the explorer): every kind, its shape checked. */
export function validateForPlanning(problems: GemmProblem[], env: EnvironmentReport): GemmProblem[] {
  const memoryBytes = env.devices.find((d) => d.isHopper)?.totalMemoryBytes;
  for (const p of problems) {
    const check = validateProblem(p, memoryBytes ? { memoryBytes } : {});
    if (!check.ok) throw coded('E_INVALID_SHAPE', `shape ${p?.m}x${p?.n}x${p?.k}: ${check.message}`);
  }
  return problems;
}

/** Where a BF16 choice comes from: the model with the H100 defaults (BF16 has no tuning records yet). */
const BF16_ORIGIN = {
  kind: 'defaults' as const,
  text: 'BF16 cost model with H100 defaults (no tuning records for BF16 yet)',
};

/** Where a 1D1D choice (wgrad, kgrouped) comes from: its own roofline-per-SM model over the 1D1D tiles. */
const ONE_D_ONE_D_ORIGIN = {
  kind: 'defaults' as const,
  text: '1D1D roofline model with H100 defaults (no tuning records for the 1D1D kinds yet)',
};

/**
 * The candidate table and the heuristic's choice; FP8LAB_PRINT_CONFIGS prints it through `log`.
 * With a choice context, a tuned record and the calibrated model are consulted first (core/tuning/choice.ts).
 */
export function chooseFor(
  problem: GemmProblem,
  device: PolicyDevice,
  settings?: RuntimeSettings,
  log?: Logger,
  choice?: ChoiceContext,
): ConfigReport {
  const report = isBf16Kind(problem.kind)
    ? { ...chooseBf16(problem, device), configOrigin: BF16_ORIGIN }
    : is1d1dKind(problem.kind)
      ? { ...configReport1d1d(problem, device), configOrigin: ONE_D_ONE_D_ORIGIN }
      : choice
        ? chooseWithContext(problem, device, choice)
        : chooseConfig(problem, device);
  if (settings?.printConfigs) log?.('info', formatConfigReport(report).trimEnd());
  return report;
}

/**
 * A forced config is checked against every legality rule (E_INVALID_CONFIG with the rule and the
 * reason); without one, the heuristic's choice.
 */
export function resolveConfig(
  problem: GemmProblem,
  device: PolicyDevice,
  forced: GemmConfig | undefined,
  settings?: RuntimeSettings,
  log?: Logger,
  choice?: ChoiceContext,
): { config: GemmConfig; report?: ConfigReport } {
  if (!forced) {
    const report = chooseFor(problem, device, settings, log, choice);
    return { config: report.chosen, report };
  }
  checkForcedConfig(forced, problem, device, `${problem.m}x${problem.n}x${problem.k}`);
  return { config: forced };
}

/**
 * A forced config against every rule of its kind's kernel (BF16, 1D1D or 1D2D) and this GPU's SMs:
 * throws E_INVALID_CONFIG naming the problem (`label`) and each broken rule with its reason.
 * K-grouped: `groupK`, the groups' K, when the case was drawn.
 */
export function checkForcedConfig(
  forced: GemmConfig,
  problem: GemmProblem,
  device: PolicyDevice,
  label: string,
  groupK?: readonly number[],
): void {
  const smProblem = numSmsProblem(forced, device);
  if (smProblem)
    throw coded(
      'E_INVALID_CONFIG',
      `config ${formatConfig(forced)} cannot run ${label}: [num-sms-device] ${smProblem}`,
    );
  const options = { capacity: device.sharedMemoryBytes, checkSharedBytesField: true };
  const violations = isBf16Kind(problem.kind)
    ? configViolationsBf16(forced, problem, options)
    : is1d1dKind(problem.kind)
      ? configViolations1d1d(problem.kind, forced, problem, { ...options, ...(groupK ? { groupK } : {}) })
      : configViolations(problem.kind, forced, problem, options);
  if (violations.length > 0)
    throw coded(
      'E_INVALID_CONFIG',
      `config ${formatConfig(forced)} cannot run ${label}: ${violations.map((v) => `[${v.rule}] ${v.reason}`).join('; ')}`,
    );
}

/**
 * A forced config's persistent grid must fit the GPU it launches on (the addon refuses a grid
 * larger than the device), or, with no GPU found, any Hopper part: checked before nvcc runs.
 */
export function numSmsProblem(config: GemmConfig, device: PolicyDevice): string | undefined {
  const n = config?.numSms;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    return `numSms must be a whole number ≥ 1; got ${String(n)}`;
  if (device.deviceSms !== undefined && n > device.deviceSms) {
    return `numSms ${n} exceeds the ${device.deviceSms} SMs of ${device.name}; use at most ${device.deviceSms}`;
  }
  if (n > MAX_HOPPER_SMS) {
    return `numSms ${n} exceeds the ${MAX_HOPPER_SMS} SMs of the largest Hopper GPU (no GPU was found to bound it further); use at most ${MAX_HOPPER_SMS} (${device.numSms} on ${device.name})`;
  }
  return undefined;
}

/**
 * Completes a partial config from the command line: the heuristic's choice supplies what is not
 * given; derived fields (threads, shared memory, swizzles, stages unless given) are recomputed.
 */
export function applyOverrides(
  problem: GemmProblem,
  device: PolicyDevice,
  overrides: ConfigOverrides,
  groupK?: readonly number[],
): GemmConfig {
  if (isBf16Kind(problem.kind)) return applyOverridesBf16(problem, device, overrides);
  if (is1d1dKind(problem.kind)) return applyOverrides1d1d(problem, device, overrides, groupK);
  const base = chooseConfig(problem, device).chosen;
  const choice = {
    blockM: overrides.blockM ?? base.blockM,
    blockN: overrides.blockN ?? base.blockN,
    ...forcedCluster(overrides, base),
    numSms: overrides.numSms ?? base.numSms,
    // Split-K and multicast share the cluster: forcing either drops the other.
    splitK:
      overrides.splitK ??
      (overrides.clusterM !== undefined || overrides.clusterN !== undefined ? 1 : (base.splitK ?? 1)),
    ...(overrides.numStages !== undefined ? { numStages: overrides.numStages } : {}),
    ...(overrides.swizzleD !== undefined ? { swizzleD: overrides.swizzleD } : {}),
  };
  const config = completeConfig(choice, problem, device.sharedMemoryBytes);
  forceKernelFields(config, overrides);
  return resolveConfig(problem, device, config).config;
}

/**
 * The 1D1D kernel's --config (wgrad, kgrouped): the forced fields over its own tile pick, completed
 * (stages: the most that fit; swizzleD: the widest a BLOCK_N row of fp32 takes; a cluster's grid
 * whole clusters) and checked, so a field the kernel cannot take (split-K, another BLOCK_K, a cluster
 * the shape cannot pair) is its rule's coded error.
 * K-grouped: `groupK`, the drawn groups' K, when the case was drawn.
 */
function applyOverrides1d1d(
  problem: GemmProblem,
  device: PolicyDevice,
  overrides: ConfigOverrides,
  groupK?: readonly number[],
): GemmConfig {
  const base = configReport1d1d(problem, device, groupK).chosen;
  const { clusterM, clusterN } = forcedCluster(overrides, base);
  // The grid is whole clusters: the pick's SMs rounded down to the cluster size unless forced.
  const clusterSize = clusterM * clusterN;
  const numSms = overrides.numSms ?? Math.max(clusterSize, base.numSms - (base.numSms % clusterSize));
  const config = completeConfig1d1d(
    {
      blockM: overrides.blockM ?? base.blockM,
      blockN: overrides.blockN ?? base.blockN,
      numSms,
      clusterM,
      clusterN,
      ...(overrides.numStages !== undefined ? { numStages: overrides.numStages } : {}),
      ...(overrides.swizzleD !== undefined ? { swizzleD: overrides.swizzleD } : {}),
    },
    device.sharedMemoryBytes,
  );
  forceKernelFields(config, overrides);
  if (overrides.splitK !== undefined && overrides.splitK !== 1) config.splitK = overrides.splitK;
  checkForcedConfig(config, problem, device, `${problem.kind} ${problem.m}x${problem.n}x${problem.k}`, groupK);
  return config;
}

/** The cluster --config asks for: a forced side with the other at 1, else the pick's cluster. */
function forcedCluster(overrides: ConfigOverrides, base: GemmConfig): Pick<GemmConfig, 'clusterM' | 'clusterN'> {
  return {
    clusterM: overrides.clusterM ?? (overrides.clusterN !== undefined ? 1 : base.clusterM),
    clusterN: overrides.clusterN ?? (overrides.clusterM !== undefined ? 1 : base.clusterN),
  };
}

/**
 * Fields a completed config takes from --config as given (BLOCK_K, math warpgroups with their thread
 * count, the A/B swizzles, the math schedule): no completion derives them, and the kernel's rules
 * then judge them (ping-pong on an FP8 kernel is its rule's coded error).
 */
function forceKernelFields(config: GemmConfig, overrides: ConfigOverrides): void {
  if (overrides.blockK !== undefined) config.blockK = overrides.blockK;
  if (overrides.numMathWarpgroups !== undefined) {
    config.numMathWarpgroups = overrides.numMathWarpgroups;
    config.numThreads = 128 * (1 + overrides.numMathWarpgroups);
  }
  if (overrides.swizzleA !== undefined) config.swizzleA = overrides.swizzleA;
  if (overrides.swizzleB !== undefined) config.swizzleB = overrides.swizzleB;
  if (overrides.pingpong) config.pingpong = overrides.pingpong;
  if (overrides.dSlabs) config.dSlabs = overrides.dSlabs;
}

/** The BF16 heuristics' choice, its refusals as coded errors. */
function chooseBf16(problem: GemmProblem, device: PolicyDevice): ConfigReport {
  try {
    return chooseConfigBf16(problem, device);
  } catch (err) {
    throw coded(
      (err as { code?: string }).code === 'E_SHAPE_ALIGNMENT' ? 'E_SHAPE_ALIGNMENT' : 'E_INVALID_CONFIG',
      (err as Error).message,
    );
  }
}

/**
 * The BF16 kernel's --config: the forced fields over the heuristic's choice, completed and checked.
 * A forced tile runs cooperatively without split-K unless pingpong=1 or split_k is forced with it;
 * otherwise the pick's schedule. Split-K takes the cluster and cooperative tiles: a forced split
 * drops the pick's multicast and ping-pong, a forced cluster or ping-pong drops the pick's split.
 * The D slab ring (d_slabs) stays with the pick's tile unless a tile or ping-pong is forced.
 * The grid is whole clusters: the pick's SMs rounded down to the cluster size unless forced.
 */
function applyOverridesBf16(problem: GemmProblem, device: PolicyDevice, overrides: ConfigOverrides): GemmConfig {
  const base = chooseBf16(problem, device).chosen;
  const tileForced = overrides.blockM !== undefined || overrides.blockN !== undefined;
  const clusterForced = overrides.clusterM !== undefined || overrides.clusterN !== undefined;
  const splitK = overrides.splitK ?? (tileForced || clusterForced || overrides.pingpong ? 1 : (base.splitK ?? 1));
  const pingpong = overrides.pingpong ?? (tileForced || splitK > 1 ? 0 : (base.pingpong ?? 0));
  const cluster = splitK > 1 && !clusterForced ? { clusterM: 1, clusterN: 1 } : forcedCluster(overrides, base);
  const ctas = cluster.clusterM * cluster.clusterN * Math.max(1, splitK);
  const output = problem.output ?? defaultOutputBf16(problem.kind);
  // The pick's slab ring stays with its tile and schedule; a forced tile or ping-pong drops it.
  const dSlabs = overrides.dSlabs ?? (tileForced || pingpong ? 0 : (base.dSlabs ?? 0));
  // What the stage count depends on: the tile, its schedule, the D staging and the split-K exchange.
  const shape = {
    blockM: overrides.blockM ?? base.blockM,
    blockN: overrides.blockN ?? base.blockN,
    pingpong,
    ...cluster,
    ...(splitK !== 1 ? { splitK } : {}),
    ...(overrides.swizzleD !== undefined ? { swizzleD: overrides.swizzleD } : {}),
    ...(dSlabs ? { dSlabs } : {}),
  };
  // Where not even the kernel's 2 stages fit (a big tile's split-K exchange), ask for 2: the smem
  // rule then says what fits instead.
  const fit = maxStagesThatFitBf16(shape, output, device.sharedMemoryBytes);
  const config = completeConfigBf16(
    {
      ...shape,
      numSms: overrides.numSms ?? Math.max(ctas, base.numSms - (base.numSms % ctas)),
      numStages: overrides.numStages ?? (fit < 2 ? 2 : Math.min(8, fit)),
    },
    output,
    device.sharedMemoryBytes,
  );
  forceKernelFields(config, overrides);
  if (overrides.splitK !== undefined && overrides.splitK !== 1) config.splitK = overrides.splitK;
  return resolveConfig(problem, device, config).config;
}

/**
 * `variant`: the timeline's instrumented build or the accuracy study's no-promotion build (default:
 * the normal kernel). A Normal FP8 GEMM's kernel is compiled for the problem's N and K unless
 * `compiledDims` is 'none' (settings.compiledDims).
 */
export function kernelSourceFor(
  problem: GemmProblem,
  config: GemmConfig,
  variant?: GemmSourceOptions,
  compiledDims?: CompiledDims,
): KernelSource {
  try {
    if (isBf16Kind(problem.kind)) {
      if (variant?.promote === false)
        throw coded(
          'E_BAD_ARGUMENT',
          'the no-promotion variant is an FP8 study: the BF16 kernel has no promotion to leave out',
        );
      return kernelSourceBf16(problem.kind, config, { output: problem.output, trace: variant?.trace });
    }
    if (is1d1dKind(problem.kind)) {
      if (variant?.promote === false || variant?.trace)
        throw coded(
          'E_BAD_ARGUMENT',
          `the ${variant.trace ? 'timeline trace' : 'no-promotion variant'} is built for the 1D2D FP8 GEMM, not the ${problem.kind} (1D1D) kernel`,
        );
      return kernelSource1d1d(problem.kind, config);
    }
    const compiledShape = compiledShapeFor(problem, compiledDims);
    return gemmKernelSource(problem.kind, config, { ...variant, ...(compiledShape ? { compiledShape } : {}) });
  } catch (err) {
    if (err instanceof KernelConfigError || err instanceof Bf16ConfigError)
      throw coded('E_INVALID_CONFIG', err.message);
    throw err;
  }
}

/** Registers, local memory and occupancy of the compiled entry, from ptxas -v and the kernel's rules. */
export function registerReport(ptxasLog: string, kernelName: string, config: GemmConfig): RegisterReport {
  const entry = findEntry(parsePtxas(ptxasLog), kernelName);
  if (!entry)
    throw coded('E_COMPILE', `ptxas reported nothing for ${kernelName}; was -Xptxas -v passed?`, { log: ptxasLog });
  const split = registerSplit(config.numMathWarpgroups);
  const occ = occupancy({
    registersPerThread: entry.registers,
    threadsPerCta: config.numThreads,
    sharedBytesPerCta: entry.sharedBytes + config.sharedBytes,
  });
  return {
    registers: entry.registers,
    spillStoresBytes: entry.spillStoresBytes,
    spillLoadsBytes: entry.spillLoadsBytes,
    stackFrameBytes: entry.stackFrameBytes,
    staticSharedBytes: entry.sharedBytes,
    producerRegisters: split.producer,
    mathRegisters: split.math,
    dynamicSharedBytes: config.sharedBytes,
    occupancyCtasPerSm: occ.ctasPerSm,
  };
}
