// Register use of compiled kernels: registers per thread (ptxas), per warpgroup role after
// setmaxnreg, spills, stack frame, static and dynamic shared memory, occupancy, and the driver's
// cuFuncGetAttribute figures where a GPU loaded the kernel (they must agree with ptxas).

import type { RegisterEntry, RegistersSnapshot } from '../../../extension/protocol/webview';
import * as chart from '../charts/registersChart';
import { registersData } from '../charts/data';
import { clear, h, kb } from '../ui/dom';
import { connect, type Host } from '../ui/host';
import { buildTable, type Column } from '../ui/table';

const app = document.getElementById('app') as HTMLElement;

function driverCheck(e: RegisterEntry): string {
  const d = e.registers.driver;
  if (!d) return 'not loaded (no GPU)';
  const agree = d.numRegs === e.registers.registers;
  return agree ? `agrees (${d.numRegs})` : `DISAGREES: driver ${d.numRegs}, ptxas ${e.registers.registers}`;
}

const columns: Column<RegisterEntry>[] = [
  { key: 'label', header: 'kernel', value: (e) => e.label + (e.chosen ? ' (chosen)' : '') },
  { key: 'regs', header: 'regs/thread', title: 'ptxas -v', value: (e) => e.registers.registers, numeric: true },
  {
    key: 'producer',
    header: 'producer',
    title: 'setmaxnreg of the TMA producer warpgroup',
    value: (e) => e.registers.producerRegisters,
    numeric: true,
  },
  {
    key: 'math',
    header: 'math',
    title: 'setmaxnreg of each math warpgroup',
    value: (e) => e.registers.mathRegisters,
    numeric: true,
  },
  { key: 'spillSt', header: 'spill st B', value: (e) => e.registers.spillStoresBytes, numeric: true },
  { key: 'spillLd', header: 'spill ld B', value: (e) => e.registers.spillLoadsBytes, numeric: true },
  { key: 'stack', header: 'stack B', value: (e) => e.registers.stackFrameBytes, numeric: true },
  {
    key: 'static',
    header: 'static smem',
    value: (e) => e.registers.staticSharedBytes,
    text: (e) => kb(e.registers.staticSharedBytes),
    numeric: true,
  },
  {
    key: 'dynamic',
    header: 'dynamic smem',
    value: (e) => e.registers.dynamicSharedBytes,
    text: (e) => kb(e.registers.dynamicSharedBytes),
    numeric: true,
  },
  { key: 'occ', header: 'CTAs/SM', value: (e) => e.registers.occupancyCtasPerSm, numeric: true },
  { key: 'driver', header: 'driver check', title: 'cuFuncGetAttribute NUM_REGS vs ptxas', value: driverCheck },
];

function render(s: RegistersSnapshot, host: Host): void {
  host.saveState({ registers: s });
  clear(app);
  app.append(h('h1', {}, s.title), h('p', { class: 'meta' }, `Source: ${s.source}`));
  const disagree = s.entries.filter((e) => e.registers.driver && e.registers.driver.numRegs !== e.registers.registers);
  if (disagree.length)
    app.append(
      h(
        'p',
        { class: 'badge warn', role: 'alert' },
        `${disagree.length} kernel(s) where the driver and ptxas disagree on registers: see the driver check column.`,
      ),
    );
  const holder = h('div', { class: 'table-wrap' });
  const draw = () => {
    const st = host.state();
    clear(holder);
    holder.append(
      buildTable({
        columns,
        rows: s.entries,
        sortKey: st.sortKey,
        sortDescending: st.sortDescending,
        rowClass: (e) =>
          e.registers.spillStoresBytes + e.registers.spillLoadsBytes > 0 ? 'row-warn' : e.chosen ? 'chosen' : undefined,
        rowTitle: (e) => e.kernelName,
        onSort: (key, desc) => {
          host.saveState({ sortKey: key, sortDescending: desc });
          draw();
        },
      }),
    );
  };
  draw();
  app.append(holder);
  const root = h('figure', { class: 'chart-box' });
  app.append(root);
  chart.render(
    root,
    chart.layout(registersData(s.entries), { width: Math.max(320, Math.min(720, app.clientWidth - 24)), height: 260 }),
  );
}

connect<RegistersSnapshot>('registers', render);
