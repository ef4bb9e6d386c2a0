// The shared body of the case benches' CLI (`bench --kernel` for the grouped / BF16 kinds and the MQA
// kinds): the environment (study mode said when there is no GPU), one line per measured case, the
// table, the JSON, the exit code and the failed cases by name. Each caller supplies its run and how
// a case is shown.
import type { RuntimeSettings } from '../../protocol/worker';
import { studyModeNotice } from '../core/environmentText';
import type { BenchHooks } from '../worker/service';
import { probeEnvironment } from '../worker/environment';
import type { CliIo } from './io';
import {
  benchExitCode,
  cliSettings,
  logToStderr,
  runCancellable,
  STOP_NOTICE_WITH_QUIT,
  VERB_EXIT,
  writeJsonReport,
} from './verbSupport';

interface CaseResultLike<Case> {
  case: Case;
  error?: unknown;
  accuracy?: { passed: boolean };
}

export interface CaseBenchVerb<Case, Result extends CaseResultLike<Case>, Run extends { results: Result[] }> {
  kind: string;
  cases: Case[];
  shapesLabel: string;
  jsonFile?: string;
  run(settings: RuntimeSettings, hooks: Omit<BenchHooks, 'measured'> & { measured(r: Result): void }): Promise<Run>;
  row(result: Result): string[];
  table(run: Run): string;
  label(c: Case): string;
}

export function runCaseBenchVerb<
  Case,
  Result extends CaseResultLike<Case>,
  Run extends { results: Result[]; interrupted?: { code: string } },
>(io: CliIo, verb: CaseBenchVerb<Case, Result, Run>): Promise<number> {
  const { cases } = verb;
  return runCancellable('bench', io, STOP_NOTICE_WITH_QUIT, async (cancelled) => {
    const settings = cliSettings(io);
    const env = await probeEnvironment(settings);
    if (!env.canRunKernels) io.err(studyModeNotice(env));
    io.err(`fp8lab bench: ${cases.length} ${verb.kind} case(s) (${verb.shapesLabel})\n`);
    let done = 0;
    const run = await verb.run(settings, {
      measured: (r) =>
        io.err(
          `[${++done}/${cases.length}] ${verb
            .row(r)
            .filter((x) => x !== '-')
            .join('  ')}\n`,
        ),
      progress: (p) => {
        if (p.phase !== 'done') io.err(`  ${p.message}\n`);
      },
      cancelled,
      log: logToStderr(io),
    });
    io.out(verb.table(run));
    if (verb.jsonFile) await writeJsonReport(verb.jsonFile, run, io, 2);
    const code = benchExitCode(run);
    if (code === VERB_EXIT.failed) {
      const failed = run.results.filter((r) => r.error).map((r) => verb.label(r.case));
      io.err(`failed: ${failed.join('; ')}\n`);
    }
    return code;
  });
}
