// `fp8lab bench --kernel mqa-logits|paged-mqa-logits` argument parsing (pure: argv in, cases and
// options out, or a message saying what is wrong and what would work).
import type { MqaBenchOptions, MqaCase, MqaKind } from '../../../protocol/mqa';
import { defaultCases, MQA_KINDS, parseMqaShape } from './mqaShapes';
import { benchOptions, defaultBenchFlags, readBenchFlag } from '../benchFlags';

export type MqaParsed = { ok: true; value: MqaArgs } | { ok: false; message: string } | { ok: 'help' };

export interface MqaArgs {
  kind: MqaKind;
  cases: MqaCase[];
  shapesLabel: string;
  jsonFile?: string;
  options: MqaBenchOptions;
}

export const MQA_DEFAULT_ROUNDS = 10;

/** True when argv asks for one of the MQA-logits kinds (the bench verb routes on it). */
export function wantsMqaKernel(args: readonly string[]): boolean {
  const i = args.indexOf('--kernel');
  return i >= 0 && (MQA_KINDS as readonly string[]).includes(args[i + 1] ?? '');
}

export function parseMqaArgs(args: readonly string[]): MqaParsed {
  let kind: MqaKind | undefined;
  const shapes: string[] = [];
  const flags = defaultBenchFlags(MQA_DEFAULT_ROUNDS);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    const common = readBenchFlag(args, i, flags);
    if (typeof common === 'number') {
      i = common;
      continue;
    }
    if (common) return { ok: false, message: common.message };
    if (a === '--kernel') {
      const v = args[++i];
      if (!(MQA_KINDS as readonly string[]).includes(v ?? ''))
        return { ok: false, message: `--kernel must be ${MQA_KINDS.join(' or ')} here; got ${v ?? 'nothing'}` };
      kind = v as MqaKind;
      continue;
    }
    if (a.startsWith('--'))
      return { ok: false, message: `unknown option ${a} for bench --kernel ${kind ?? 'mqa-logits'}` };
    shapes.push(a);
  }
  if (!kind) return { ok: false, message: '--kernel mqa-logits or --kernel paged-mqa-logits is required here' };
  let cases: MqaCase[];
  let shapesLabel: string;
  if (shapes.length === 0 || (shapes.length === 1 && shapes[0] === 'deepgemm')) {
    cases = defaultCases(kind);
    shapesLabel = `DeepGEMM's ${kind} test shapes`;
  } else {
    cases = [];
    for (const s of shapes) {
      const c = parseMqaShape(kind, s);
      if (typeof c === 'string') return { ok: false, message: c };
      cases.push(c);
    }
    shapesLabel = `${cases.length} shape(s)`;
  }
  return {
    ok: true,
    value: {
      kind,
      cases,
      shapesLabel,
      ...(flags.jsonFile ? { jsonFile: flags.jsonFile } : {}),
      options: benchOptions(flags),
    },
  };
}
