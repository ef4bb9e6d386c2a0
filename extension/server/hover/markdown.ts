// Small Markdown helpers for hover text.
import { PTX_DOC_BASE } from '../knowledge/types';

/** Inline code that survives backticks inside. */
export function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A table cell: no raw pipes or newlines. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function ptxLink(label: string, anchor: string): string {
  return `[${label}](${PTX_DOC_BASE}#${anchor})`;
}

export function bytes(n: number): string {
  if (n >= 1024) return `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB)`;
  return `${n.toLocaleString('en-US')} B`;
}

export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Shortens long vector operands: {%0, %1, ..., %63} -> {%0 … %63} (64 registers). */
export function abbreviateOperand(text: string): string {
  const m = /^\{([^{}]*)\}$/.exec(text.trim());
  if (!m) return text;
  const items = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length <= 6) return text;
  return `{${items[0]}, ${items[1]}, … ${items[items.length - 1]}} (${items.length} registers)`;
}

/** "sm_90+" for portable targets; arch-specific ones (sm_90a) run on that architecture only. */
export function targetText(target: string): string {
  if (target === 'all') return 'any';
  if (/^sm_\d+a$/.test(target))
    return `${target} only (arch-specific: compile with -gencode=arch=compute_${target.slice(3)},code=${target})`;
  return `${target}+`;
}
