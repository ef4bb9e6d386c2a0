// Shows a config's picture: inline (a figure in the page) or as a popover over a config cell while
// the pointer is on it, placed beside the cell and kept inside the view.

import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { configPicture } from '../../../extension/src/core/configPicture';
import * as picture from '../charts/configPicture';
import { h } from './dom';

const pictureWidth = () => Math.max(260, Math.min(520, window.innerWidth - 40));

/** A figure holding the picture of a config for a problem (with the rejection drawn, when given). */
export function configFigure(
  problem: GemmProblem,
  config: GemmConfig,
  rejected?: { rule: string; reason: string },
  width = pictureWidth(),
): HTMLElement {
  const fig = h('figure', { class: 'chart-box config-picture' });
  picture.render(fig, picture.layout(configPicture(problem, config, rejected), { width, height: 10 }));
  return fig;
}

let open: HTMLElement | undefined;

/** Makes `cell` show the config's picture in a popover while hovered (and while focused, for the keyboard). */
export function attachConfigPopover(
  cell: HTMLElement,
  make: () => { problem: GemmProblem; config: GemmConfig; rejected?: { rule: string; reason: string } },
): void {
  cell.classList.add('config-cell');
  cell.tabIndex = 0;
  const show = () => {
    hide();
    const { problem, config, rejected } = make();
    const pop = h('div', { class: 'config-popover', role: 'tooltip' }, configFigure(problem, config, rejected));
    document.body.append(pop);
    const r = cell.getBoundingClientRect();
    const w = pop.offsetWidth,
      ht = pop.offsetHeight;
    const left = Math.max(4, Math.min(r.left, window.innerWidth - w - 4));
    const below = r.bottom + 4,
      above = r.top - ht - 4;
    const top = below + ht <= window.innerHeight - 4 ? below : Math.max(4, above);
    pop.style.left = `${left}px`;
    pop.style.top = `${top}px`;
    open = pop;
  };
  const hide = () => {
    open?.remove();
    open = undefined;
  };
  cell.addEventListener('mouseenter', show);
  cell.addEventListener('focus', show);
  cell.addEventListener('mouseleave', hide);
  cell.addEventListener('blur', hide);
}
