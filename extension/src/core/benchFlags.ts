// The flags every kernel-family bench takes (grouped FP8, BF16, MQA logits): where the JSON goes,
// timed rounds, the seed, correctness only, programmatic dependent launch, the peers. Each family's
// parser hands over the arguments it does not know itself. Pure: argv in, flags or a message out.

export interface BenchFlags {
  jsonFile?: string;
  rounds: number;
  seed: number;
  /** false with --check-only. */
  timing: boolean;
  pdl: boolean;
  peer: boolean;
}

export function defaultBenchFlags(rounds: number): BenchFlags {
  return { rounds, seed: 0, timing: true, pdl: true, peer: true };
}

/**
 * Reads the common flag at args[i] into `flags`: the index of the last argument it used, a message
 * when its value is wrong, or undefined when args[i] is not a common flag (nor `--shapes`, which
 * only announces the bare shape arguments that follow).
 */
export function readBenchFlag(
  args: readonly string[],
  i: number,
  flags: BenchFlags,
): number | { message: string } | undefined {
  const whole = (flag: string, v: string | undefined, min: number, max: number): number | { message: string } => {
    if (v === undefined || !/^\d+$/.test(v)) return { message: `${flag} needs a whole number` };
    const x = Number(v);
    return x < min || x > max ? { message: `${flag} must be in ${min}..${max}; got ${x}` } : x;
  };
  switch (args[i]) {
    case '--shapes':
      return i;
    case '--json': {
      const file = args[i + 1];
      if (!file) return { message: '--json needs a file name' };
      flags.jsonFile = file;
      return i + 1;
    }
    case '--rounds': {
      const r = whole('--rounds', args[i + 1], 1, 10000);
      if (typeof r !== 'number') return r;
      flags.rounds = r;
      return i + 1;
    }
    case '--seed': {
      const r = whole('--seed', args[i + 1], 0, 0xffffffff);
      if (typeof r !== 'number') return r;
      flags.seed = r;
      return i + 1;
    }
    case '--check-only':
      flags.timing = false;
      return i;
    case '--no-pdl':
      flags.pdl = false;
      return i;
    case '--no-peer':
      flags.peer = false;
      return i;
    default:
      return undefined;
  }
}

/** The options object both bench requests take from the common flags. */
export function benchOptions(flags: BenchFlags): {
  timing: boolean;
  rounds: number;
  seed: number;
  pdl: boolean;
  peer?: false;
} {
  return {
    timing: flags.timing,
    rounds: flags.rounds,
    seed: flags.seed,
    pdl: flags.pdl,
    ...(flags.peer ? {} : { peer: false as const }),
  };
}
