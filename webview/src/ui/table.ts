// A sortable, filterable table built from column definitions. Sorting compares raw values
// (numbers as numbers; absent values last), display uses each column's formatter.

import { h } from './dom';

export interface Column<R> {
  key: string;
  header: string;
  title?: string;
  value(row: R): number | string | undefined;
  text?(row: R): string;
  numeric?: boolean;
  /** Long text: clipped with an ellipsis (the full text is in the cell's title). */
  clip?: boolean;
  /** Long text that wraps inside the column (sentences such as a rejection's reason). */
  wrap?: boolean;
  /** Times and the like: the first click sorts ascending (best first); other numbers start descending. */
  lowerIsBetter?: boolean;
}

export interface TableOptions<R> {
  columns: Column<R>[];
  rows: R[];
  sortKey?: string;
  sortDescending?: boolean;
  filter?: string;
  rowClass?(row: R): string | undefined;
  rowTitle?(row: R): string | undefined;
  /** Extra cells at the start (e.g. a checkbox) and at the end (e.g. buttons). */
  lead?(row: R): Node | undefined;
  leadHeader?: Node;
  trail?(row: R): Node | undefined;
  onSort?(key: string, descending: boolean): void;
}

export function compareValues(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Rows that contain every whitespace-separated term of the filter in some cell's text. */
export function filterRows<R>(rows: R[], columns: Column<R>[], filter: string | undefined): R[] {
  const terms = (filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return rows;
  return rows.filter((r) => {
    const text = columns
      .map((c) => (c.text ? c.text(r) : String(c.value(r) ?? '')))
      .join(' ')
      .toLowerCase();
    return terms.every((t) => text.includes(t));
  });
}

export function sortRows<R>(rows: R[], col: Column<R> | undefined, descending: boolean): R[] {
  if (!col) return rows;
  const sorted = rows.slice().sort((a, b) => {
    const va = col.value(a),
      vb = col.value(b);
    if (va === undefined || vb === undefined) return compareValues(va, vb); // absent last either way
    return descending ? compareValues(vb, va) : compareValues(va, vb);
  });
  return sorted;
}

export function buildTable<R>(o: TableOptions<R>): HTMLTableElement {
  const col = o.columns.find((c) => c.key === o.sortKey);
  const rows = sortRows(filterRows(o.rows, o.columns, o.filter), col, !!o.sortDescending);
  const headRow = h('tr', {}, o.lead ? h('th', {}, o.leadHeader) : undefined);
  for (const c of o.columns) {
    const active = c.key === o.sortKey;
    const th = h(
      'th',
      {
        class: c.numeric ? 'num sortable' : 'sortable',
        title: c.title,
        'aria-sort': active ? (o.sortDescending ? 'descending' : 'ascending') : 'none',
        tabindex: '0',
      },
      c.header + (active ? (o.sortDescending ? ' ▾' : ' ▴') : ''),
    );
    const toggle = () => o.onSort?.(c.key, active ? !o.sortDescending : c.numeric === true && !c.lowerIsBetter);
    th.addEventListener('click', toggle);
    th.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
    headRow.append(th);
  }
  if (o.trail) headRow.append(h('th', {}));
  const body = h('tbody');
  for (const r of rows) {
    const tr = h('tr', { class: o.rowClass?.(r), title: o.rowTitle?.(r) });
    if (o.lead) tr.append(h('td', {}, o.lead(r)));
    for (const c of o.columns) {
      const text = c.text ? c.text(r) : String(c.value(r) ?? '—');
      tr.append(
        h(
          'td',
          {
            class: c.numeric ? 'num' : c.clip ? 'clip' : c.wrap ? 'wrap' : undefined,
            title: c.clip ? text : undefined,
          },
          text,
        ),
      );
    }
    if (o.trail) tr.append(h('td', { class: 'actions' }, o.trail(r)));
    body.append(tr);
  }
  return h('table', { class: 'data' }, h('thead', {}, headRow), body);
}
