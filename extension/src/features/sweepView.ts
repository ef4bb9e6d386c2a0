// The "Sweeps" tree in the FP8 GEMM Lab side bar: one item per sweep (its verb, folder and task
// counts), under it one item per task with where it stands — pending, running on <node>, done,
// failed (with its log one click away), cancelled.
import * as vscode from 'vscode';
import type { SweepPlan } from '../core/sweep/sweepPlan';
import { taskLabel } from '../core/sweep/sweepPlan';
import { countsText, finished, type TaskPhase, type TaskStatus } from '../core/sweep/taskStatus';
import type { CollectReport } from '../runtime/sweep/sweepService';

export interface SweepEntry {
  dir: string;
  plan: SweepPlan;
  placement: 'slurm' | 'local';
  statuses: TaskStatus[];
  collected?: CollectReport;
  /** The last status read's failure (the scheduler did not answer, ...). */
  problem?: string;
  /** Log path per task index (latest attempt), where one exists. */
  logs: Map<number, string>;
}

export type SweepNode = { kind: 'sweep'; entry: SweepEntry } | { kind: 'task'; entry: SweepEntry; status: TaskStatus };

const ICONS: Record<TaskPhase, [string, string | undefined]> = {
  unsubmitted: ['circle-outline', undefined],
  pending: ['clock', undefined],
  running: ['sync~spin', 'charts.blue'],
  done: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

/** What a task's line says after its number ("running on node12", "failed on vm"). */
export function taskDescription(s: TaskStatus): string {
  const where = s.node ? ` on ${s.node}` : '';
  if (s.phase === 'running' || s.phase === 'failed' || s.phase === 'done') return `${s.phase}${where}`;
  return s.phase === 'pending' && s.detail ? `pending (${s.detail})` : s.phase;
}

export class SweepTree implements vscode.TreeDataProvider<SweepNode> {
  private readonly changed = new vscode.EventEmitter<SweepNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly entries: () => SweepEntry[]) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: SweepNode): SweepNode[] {
    if (!node) return this.entries().map((entry) => ({ kind: 'sweep', entry }));
    if (node.kind === 'sweep')
      return node.entry.statuses.map((status) => ({ kind: 'task', entry: node.entry, status }));
    return [];
  }

  getTreeItem(node: SweepNode): vscode.TreeItem {
    if (node.kind === 'sweep') {
      const { entry } = node;
      const item = new vscode.TreeItem(
        `${entry.plan.verb} sweep ${entry.plan.id}`,
        vscode.TreeItemCollapsibleState.Expanded,
      );
      const over = entry.placement === 'slurm' ? 'Slurm' : 'local GPUs';
      item.description = `${over} · ${countsText(entry.statuses)}${entry.problem ? ` · ${entry.problem}` : ''}`;
      item.tooltip = `${entry.dir}${entry.collected?.runFile ? `\nmerged into ${entry.collected.runFile}` : ''}`;
      const ended = finished(entry.statuses);
      const retryable = entry.statuses.some((s) => s.phase === 'failed' || s.phase === 'cancelled');
      item.contextValue = [
        'sweep',
        ended ? 'ended' : 'active',
        retryable ? 'retryable' : '',
        entry.collected?.runFile ? 'collected' : '',
      ]
        .filter(Boolean)
        .join('.');
      item.iconPath = new vscode.ThemeIcon(
        ended ? (entry.statuses.every((s) => s.phase === 'done') ? 'pass-filled' : 'warning') : 'loading~spin',
      );
      return item;
    }
    const { entry, status } = node;
    const item = new vscode.TreeItem(
      `task ${status.index}: ${taskLabel(entry.plan.tasks[status.index])}`,
      vscode.TreeItemCollapsibleState.None,
    );
    item.description = taskDescription(status);
    item.tooltip = [
      status.detail,
      status.attempt ? `attempt ${status.attempt}` : undefined,
      entry.logs.get(status.index),
    ]
      .filter(Boolean)
      .join('\n');
    const [icon, color] = ICONS[status.phase];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const log = entry.logs.get(status.index);
    item.contextValue = log ? 'sweepTask.withLog' : 'sweepTask';
    if (log && status.phase === 'failed')
      item.command = { command: 'fp8lab.sweepOpenLog', title: 'Open log', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
