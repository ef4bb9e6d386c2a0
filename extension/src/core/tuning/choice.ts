// The config choice with the tuning store in front of the cost model. Precedence: a forced config;
// else the winner of a tuned record for this device identity, kernel source and shape (when the
// kernel's rules still accept it); else the cost model with this GPU's calibrated device terms
// (refitted to its records when there are enough); else the model with the H100 defaults. Every
// report says which, in `configOrigin` and at the front of `why`.
import type { Candidate, ConfigOrigin, ConfigReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { chooseConfig } from '../heuristics/choose';
import type { PolicyDevice } from '../heuristics/device';
import type { DeviceModel } from '../heuristics/deviceModel';
import { compactConfig } from '../heuristics/format';
import { firstViolation } from '../kernelRules';
import { identicalConfigs } from '../configIdentity';
import { predictCost } from '../heuristics/costModel';
import { waveInfo, workShape } from '../heuristics/tiles';
import type { RefitResult } from './refit';
import { tunedFor, type TuningRecord, type TuningView } from './tuningRecord';

export interface ChoiceContext {
  /** The store as this device and kernel source see it; absent: tuned entries are not consulted. */
  tuned?: TuningView;
  /** This GPU's calibrated device terms (refit applied); absent: the H100 defaults. */
  model?: DeviceModel;
  /** When the device profile was measured. */
  calibratedAt?: string;
  /** The refit that was applied to the calibrated (or default) terms. */
  refit?: RefitResult;
  /** Why the model runs with the H100 defaults ("no calibration for this GPU", "FP8LAB_MODEL=defaults"). */
  defaultsReason?: string;
}

/** "2026-12-06" from an ISO date. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

function refitText(r: RefitResult | undefined): string {
  return r
    ? `, refitted to ${r.points} timed candidates of ${r.shapes} tuned shapes (SM time x${r.compute.toFixed(2)}, memory time x${r.memory.toFixed(2)})`
    : '';
}

/** The origin of a model choice (calibrated or defaults) in a context. */
export function modelOrigin(ctx: ChoiceContext): ConfigOrigin {
  if (ctx.model) {
    return {
      kind: 'calibrated',
      text: `model calibrated on this GPU${ctx.calibratedAt ? ` on ${dayOf(ctx.calibratedAt)}` : ''}${refitText(ctx.refit)}`,
      ...(ctx.calibratedAt ? { measuredAt: ctx.calibratedAt } : {}),
    };
  }
  return {
    kind: 'defaults',
    text: `model with H100 defaults${refitText(ctx.refit)}${ctx.defaultsReason ? ` (${ctx.defaultsReason})` : ''}`,
  };
}

export function tunedOrigin(record: TuningRecord): ConfigOrigin {
  return {
    kind: 'tuned',
    text: `tuned on this GPU on ${dayOf(record.measuredAt)}`,
    measuredAt: record.measuredAt,
    recordId: record.id,
  };
}

/**
 * The candidate row of a tuned winner the enumeration does not list (a num_sms variant: the same
 * tile on fewer SMs), so views that mark the chosen row find it; predicted on its own SM count.
 */
function winnerRow(problem: GemmProblem, config: GemmConfig, device: PolicyDevice): Candidate {
  const work = workShape(problem);
  const wave = waveInfo(
    work,
    config.blockM,
    config.blockN,
    config.numSms,
    config.clusterM * config.clusterN * (config.splitK ?? 1),
  );
  const cost = predictCost(config, work, { ...device, numSms: config.numSms });
  return {
    config,
    tiles: wave.tiles,
    waves: Number.isFinite(wave.waves) ? wave.waves : 0,
    lastWaveUtilisation: wave.lastWaveUtilisation,
    predicted: { cycles: cost.cycles, us: cost.us },
  };
}

/** "Model calibrated on this GPU on 2026-12-06: " + the sentence. */
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The config report of a problem with the store and the calibration consulted (see the precedence
 * above). Throws what chooseConfig throws (PolicyError).
 */
export function chooseWithContext(problem: GemmProblem, device: PolicyDevice, ctx: ChoiceContext): ConfigReport {
  const modelDevice: PolicyDevice = ctx.model ? { ...device, model: ctx.model } : device;
  const report = chooseConfig(problem, modelDevice);
  if (problem.config)
    return { ...report, configOrigin: { kind: 'forced', text: 'forced (an override or an explorer run)' } };

  const record = ctx.tuned ? tunedFor(ctx.tuned, problem) : undefined;
  const winner = record?.winner;
  const model = modelOrigin(ctx);
  if (record && winner) {
    const violation =
      winner.config.numSms > device.numSms
        ? { rule: 'num-sms', reason: `it uses ${winner.config.numSms} SMs; ${device.numSms} are available` }
        : firstViolation(problem.kind, winner.config, problem, {
            capacity: device.sharedMemoryBytes,
            checkSharedBytesField: true,
          });
    if (!violation) {
      const origin = tunedOrigin(record);
      const timed = record.ranking.filter((c) => c.measuredUs !== undefined).length;
      const listed = report.candidates.some((c) => identicalConfigs(c.config, winner.config));
      return {
        ...report,
        candidates: listed ? report.candidates : [...report.candidates, winnerRow(problem, winner.config, modelDevice)],
        chosen: winner.config,
        configOrigin: origin,
        why:
          `${capitalised(origin.text)}: ${compactConfig(winner.config)} measured ${winner.us.toFixed(1)} µs, the fastest of ${timed} timed ` +
          `candidate${timed === 1 ? '' : 's'}. The ${model.text} would pick: ${report.why}`,
      };
    }
    return {
      ...report,
      configOrigin: model,
      why: `${capitalised(model.text)} (the tuned winner ${compactConfig(winner.config)} breaks rule ${violation.rule} here: ${violation.reason}): ${report.why}`,
    };
  }
  return { ...report, configOrigin: model, why: `${capitalised(model.text)}: ${report.why}` };
}
