// Checks a SASS snapshot read back from storage (after a window reload) before it is shown again:
// a stored file can be stale or edited by hand. Throws a coded error that says what is wrong.

import type { SassReport, SassSnapshot } from '../../../protocol/sass';

export class SassSnapshotError extends Error {
  readonly code = 'E_BAD_ARGUMENT';
  constructor(message: string) {
    super(`not a SASS view snapshot: ${message}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_INSTRUCTIONS = 2_000_000;

function checkReport(raw: unknown, what: string): SassReport {
  if (!isRecord(raw)) throw new SassSnapshotError(`${what} is not an object`);
  if (raw.tool !== 'nvdisasm' && raw.tool !== 'cuobjdump')
    throw new SassSnapshotError(`${what}.tool must be nvdisasm or cuobjdump`);
  if (!Array.isArray(raw.command) || !raw.command.every((c) => typeof c === 'string'))
    throw new SassSnapshotError(`${what}.command must be a list of strings`);
  const listing = raw.listing;
  if (!isRecord(listing) || !Array.isArray(listing.functions))
    throw new SassSnapshotError(`${what}.listing.functions is missing`);
  let total = 0;
  for (const [i, f] of listing.functions.entries()) {
    if (!isRecord(f) || typeof f.name !== 'string' || !Array.isArray(f.instructions))
      throw new SassSnapshotError(`${what} function ${i} needs a name and instructions`);
    total += f.instructions.length;
    if (total > MAX_INSTRUCTIONS) throw new SassSnapshotError(`${what} has more than ${MAX_INSTRUCTIONS} instructions`);
    for (const ins of f.instructions as unknown[]) {
      if (
        !isRecord(ins) ||
        typeof ins.offset !== 'number' ||
        typeof ins.text !== 'string' ||
        typeof ins.opcode !== 'string' ||
        !Array.isArray(ins.modifiers) ||
        !Array.isArray(ins.operands)
      )
        throw new SassSnapshotError(`${what} function ${f.name} has a malformed instruction`);
      if (
        ins.encoding !== undefined &&
        (!isRecord(ins.encoding) || typeof ins.encoding.hi !== 'string' || typeof ins.encoding.lo !== 'string')
      )
        throw new SassSnapshotError(`${what}: malformed encoding`);
      if (
        ins.source !== undefined &&
        (!isRecord(ins.source) || typeof ins.source.file !== 'string' || typeof ins.source.line !== 'number')
      )
        throw new SassSnapshotError(`${what}: malformed source line`);
    }
  }
  if (typeof raw.unreadLines !== 'number') throw new SassSnapshotError(`${what}.unreadLines must be a number`);
  return raw as unknown as SassReport;
}

export function checkSassSnapshot(raw: unknown): SassSnapshot {
  if (!isRecord(raw) || raw.view !== 'sass' || typeof raw.title !== 'string' || !isRecord(raw.source))
    throw new SassSnapshotError("needs view 'sass', a title and a source");
  if (raw.mode === 'listing')
    return {
      view: 'sass',
      mode: 'listing',
      title: raw.title,
      source: raw.source as SassSnapshot['source'],
      report: checkReport(raw.report, 'report'),
    };
  if (raw.mode === 'diff') {
    if (typeof raw.leftLabel !== 'string' || typeof raw.rightLabel !== 'string')
      throw new SassSnapshotError('a diff needs leftLabel and rightLabel');
    return {
      view: 'sass',
      mode: 'diff',
      title: raw.title,
      source: raw.source as SassSnapshot['source'],
      left: checkReport(raw.left, 'left'),
      right: checkReport(raw.right, 'right'),
      leftLabel: raw.leftLabel,
      rightLabel: raw.rightLabel,
    };
  }
  throw new SassSnapshotError("mode must be 'listing' or 'diff'");
}
