// Per-shape config overrides chosen in the config explorer ("keep as override"), stored in the
// workspace state and applied by the benchmark command to that exact shape and kind.

import type * as vscode from 'vscode';
import type { GemmConfig, GemmProblem } from '../../protocol/worker';
import { shapeLabel } from '../core/shapes';

const KEY = 'fp8lab.overrides';

type Table = Record<string, GemmConfig>;

export function overrideKey(p: Pick<GemmProblem, 'kind' | 'm' | 'n' | 'k' | 'numGroups'>): string {
  return `${p.kind}:${shapeLabel(p)}${p.numGroups ? `:g${p.numGroups}` : ''}`;
}

export class Overrides {
  constructor(private readonly state: vscode.Memento) {}

  private table(): Table {
    return this.state.get<Table>(KEY) ?? {};
  }

  get(p: GemmProblem): GemmConfig | undefined {
    return this.table()[overrideKey(p)];
  }

  async set(p: GemmProblem, config: GemmConfig | undefined): Promise<void> {
    const t = { ...this.table() };
    if (config) t[overrideKey(p)] = config;
    else delete t[overrideKey(p)];
    await this.state.update(KEY, t);
  }

  /** The problems with their stored overrides applied (a problem with a forced config keeps it). */
  apply(problems: GemmProblem[]): { problems: GemmProblem[]; applied: number } {
    let applied = 0;
    const out = problems.map((p) => {
      const o = p.config ? undefined : this.get(p);
      if (!o) return p;
      applied++;
      return { ...p, config: o };
    });
    return { problems: out, applied };
  }
}
