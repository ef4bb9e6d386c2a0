// Types only: what the SASS features produce (CLI --json, the SASS view's snapshots).

import type { LineCounts } from '../src/core/sass/sourceLines';
import type { SassListing, SassTool } from '../src/core/sass/types';
import type { GemmConfig, GemmProblem } from './domain';

/** One compiled config's disassembly, and how it was made. */
export interface SassReport {
  /** Absent when the listing was read from a file rather than compiled here. */
  problem?: GemmProblem;
  config?: GemmConfig;
  kernelName?: string;
  cubinPath?: string;
  /** The tool and argv that printed the listing (or the file it was read from). */
  tool: SassTool;
  command: string[];
  listing: SassListing;
  /** Lines that looked like instructions but could not be read. */
  unreadLines: number;
}

/** Where a SASS view's listing came from: saved listing files, or configs compiled here. */
export type SassViewSource =
  | { kind: 'file'; path: string; againstPath?: string }
  | { kind: 'config'; problem: GemmProblem; config?: GemmConfig; againstConfig?: GemmConfig };

export interface SassListingSnapshot {
  view: 'sass';
  mode: 'listing';
  title: string;
  source: SassViewSource;
  report: SassReport;
}

export interface SassDiffSnapshot {
  view: 'sass';
  mode: 'diff';
  title: string;
  source: SassViewSource;
  left: SassReport;
  right: SassReport;
  leftLabel: string;
  rightLabel: string;
}

export type SassSnapshot = SassListingSnapshot | SassDiffSnapshot;

/** The language server's per-line counts from the last SASS shown (fp8lab/didUpdateSass). */
export interface SassLineFacts {
  /** What the counts are of ("sm90_fp8_gemm_1d2d 128x128 for 4096x7168x2048"). */
  label: string;
  counts: LineCounts;
}
