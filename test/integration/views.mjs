// The views as a person sees them in the installed .vsix, in one colour theme at a time: the
// results panel (bars of ours and every peer), the timeline (legend swatches, a tooltip beside the
// cursor and inside the view), the accuracy view (picker over the file's reports, coloured
// histograms and heatmaps), and the side-bar Config Explorer (nothing wider than the view).
// Each check asserts computed styles and positions, not only that a node exists. scenario.mjs
// calls viewsTour() once per theme; the helpers are exported for other scenario blocks.

/** Parses "rgb(r, g, b)" / "rgba(r, g, b, a)"; undefined for anything else (none, transparent). */
export function parseRgb(css) {
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(String(css).trim());
  if (!m) return undefined;
  return { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] };
}

/** WCAG relative luminance of an rgb colour. */
function luminance({ r, g, b }) {
  const c = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}

/** Contrast ratio of two colours (1 = the same, 21 = black on white). */
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** A colour is visible on the background: opaque enough and at least `min` contrast. */
function assertVisible(what, css, background, min = 1.3) {
  const c = parseRgb(css);
  if (!c || c.a < 0.3) throw new Error(`${what} has no visible colour (${css})`);
  const ratio = contrast(c, background);
  if (ratio < min) throw new Error(`${what} (${css}) is nearly the background's colour (contrast ${ratio.toFixed(2)})`);
  return ratio;
}

/** Switches VS Code's colour theme as a person does: "Preferences: Color Theme" in the palette, then the theme. */
export async function setColorTheme(page, _ui, theme, waitFor) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  // Clicked, not Enter: "Browse Color Themes in Marketplace" ranks first.
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: /^Preferences: Color Theme/ })
    .first()
    .click();
  await waitFor(
    'the theme picker',
    async () =>
      !(await input.inputValue()).startsWith('>') &&
      (await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').count()) > 0,
    30_000,
  );
  await input.fill(theme.name);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: theme.name }).first().click();
  // Applied when the workbench's own background turns light or dark (class names differ between versions).
  await waitFor(
    `the workbench in ${theme.name}`,
    async () => {
      const css = await page.evaluate(
        () =>
          getComputedStyle(document.querySelector('.part.editor') ?? document.querySelector('.monaco-workbench'))
            .backgroundColor,
      );
      const c = parseRgb(css);
      if (!c) return false;
      const l = luminance(c);
      return theme.kind === 'light' ? l > 0.6 : l < 0.1;
    },
    60_000,
  );
}

/**
 * Opens a file through "Open saved run…" → "Open a file…" and the file dialog (typed path). A quick
 * input can close under the test when the workbench moves focus (a view finishing its render): one
 * more try from the start then.
 */
export async function openThroughSavedRun(page, ui, file) {
  try {
    await openThroughSavedRunOnce(page, ui, file);
  } catch (e) {
    await page.keyboard.press('Escape');
    await openThroughSavedRunOnce(page, ui, file).catch((e2) => {
      throw new Error(`${e2.message} (first try: ${e.message.split('\n')[0]})`);
    });
  }
}

async function openThroughSavedRunOnce(page, { palette, commandPick }, file) {
  await palette(page, 'Open saved run');
  // The first item, focused: Enter (a click can land on a list still moving under the pointer).
  const item = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: 'Open a file' })
    .first();
  await commandPick(page, item);
  await page.keyboard.press('Enter');
  await pickInFileDialog(page, file);
}

/** In the file dialog (a quick input holding a path): the file's folder, then the file, then Enter. */
export async function pickInFileDialog(page, file) {
  const input = page.locator('.quick-input-widget input');
  // The simple file dialog: a quick input holding a path. Type the file's path and accept it.
  await input.waitFor({ state: 'visible' });
  await page.waitForFunction(
    () => {
      const i = document.querySelector('.quick-input-widget input');
      return i && i.value.startsWith('/') && !i.value.startsWith('>');
    },
    undefined,
    { timeout: 30_000 },
  );
  await input.click({ timeout: 10_000 }).catch(() => {});
  // Into the file's folder first (the dialog lists it), then the file's row: typing a whole path
  // and pressing Enter at once can beat the dialog's own check of the path.
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  await input.fill(file.slice(0, slash + 1), { timeout: 10_000 });
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name })
    .first()
    .waitFor({ timeout: 30_000 });
  // Then the whole path: the list narrows to the file and focuses it; Enter opens it.
  await input.fill(file, { timeout: 10_000 });
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: name })
    .first()
    .waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The frame's body background as rgb (the theme's editor background). */
async function background(frame) {
  return parseRgb(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor));
}

async function themeOfFrame(frame) {
  return frame.evaluate(() =>
    ['vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light']
      .filter((c) => document.body.classList.contains(c))
      .join(' '),
  );
}

/** Results panel: the bars of ours and of each peer are coloured, distinct and readable on the background. */
export async function checkResultsColours(frame, { peers }) {
  const bg = await background(frame);
  const series = ['ours', ...peers];
  const fills = {};
  for (const id of series) {
    const fill = await frame
      .locator(`svg.chart rect.bar.series-${id}`)
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    assertVisible(`the ${id} bars`, fill, bg, 1.2);
    fills[id] = fill;
  }
  if (new Set(Object.values(fills)).size !== series.length)
    throw new Error(`series share a colour: ${JSON.stringify(fills)}`);
  const text = await frame.evaluate(() => getComputedStyle(document.querySelector('table.data td.num')).color);
  const ratio = assertVisible('table text', text, bg, 4.5);
  const legend = (await frame.locator('svg.chart text.legend').allTextContents()).slice(0, series.length + 1);
  return `${await themeOfFrame(frame)}: bars ${Object.entries(fills)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; text contrast ${ratio.toFixed(1)}; legend ${legend.join('/')}`;
}

/** Timeline: legend swatches coloured and distinct; hovering a span shows a tooltip beside the cursor, inside the view. */
export async function checkTimeline(page, frame) {
  const bg = await background(frame);
  const swatches = await frame
    .locator('.timeline-legend .swatch')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
  if (swatches.length < 6) throw new Error(`the legend has ${swatches.length} swatches`);
  swatches.slice(0, 6).forEach((c, i) => assertVisible(`legend swatch ${i + 1}`, c, bg, 1.2));
  if (new Set(swatches.slice(0, 6)).size !== 6) throw new Error(`phase swatches share colours: ${swatches.join(', ')}`);
  // Labels do not run together: each legend item sits on its own box, left of the next or on a new line.
  const boxes = await frame.locator('.timeline-legend .legend-item').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return [r.left, r.right, r.top];
    }),
  );
  for (let i = 1; i < boxes.length; i++)
    if (boxes[i][2] === boxes[i - 1][2] && boxes[i][0] < boxes[i - 1][1] + 4) throw new Error('legend items overlap');
  // Hover along the canvas until a span is under the pointer.
  await frame.evaluate(() => {
    window.__mouse = undefined;
    document.addEventListener(
      'mousemove',
      (e) => {
        window.__mouse = [e.clientX, e.clientY];
      },
      { capture: true },
    );
  });
  const canvas = frame.locator('.timeline-scroll canvas:not(.timeline-head)');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the timeline canvas is not on screen');
  const tip = frame.locator('.timeline-tip');
  let hit;
  for (let fy = 0.15; fy < 0.6 && !hit; fy += 0.07) {
    for (let fx = 0.3; fx < 0.95 && !hit; fx += 0.08) {
      await page.mouse.move(box.x + box.width * fx, box.y + Math.min(box.height, 400) * fy);
      if (await tip.isVisible()) hit = [fx, fy];
    }
  }
  if (!hit) throw new Error('no tooltip appeared while hovering over the timeline');
  const geo = await frame.evaluate(() => {
    const t = document.querySelector('.timeline-tip');
    const r = t.getBoundingClientRect();
    const s = getComputedStyle(t);
    return {
      rect: [r.left, r.top, r.right, r.bottom],
      mouse: window.__mouse,
      vw: window.innerWidth,
      vh: window.innerHeight,
      bg: s.backgroundColor,
      border: s.borderTopColor,
      position: s.position,
      text: t.innerText,
    };
  });
  const [l, t, r, b] = geo.rect;
  const [mx, my] = geo.mouse ?? [NaN, NaN];
  if (geo.position !== 'absolute')
    throw new Error(`the tooltip is not positioned (position: ${geo.position}): its stylesheet is missing`);
  if (l < 0 || t < 0 || r > geo.vw + 1 || b > geo.vh + 1)
    throw new Error(`the tooltip [${geo.rect.map(Math.round)}] leaves the view (${geo.vw}x${geo.vh})`);
  const dx = Math.max(l - mx, mx - r, 0),
    dy = Math.max(t - my, my - b, 0);
  if (Math.hypot(dx, dy) > 40)
    throw new Error(
      `the tooltip [${geo.rect.map(Math.round)}] is ${Math.round(Math.hypot(dx, dy))} px from the cursor (${mx}, ${my})`,
    );
  assertVisible('the tooltip background', geo.bg, { r: 128, g: 128, b: 128 }, 1.0);
  if (parseRgb(geo.bg).a < 0.9) throw new Error(`the tooltip has no background (${geo.bg})`);
  // Click the same spot: the details panel keeps the span's details.
  await page.mouse.down();
  await page.mouse.up();
  const selected = (await frame.locator('.timeline-details h2').innerText({ timeout: 10_000 })).trim();
  if (!/^Selected: /.test(selected)) throw new Error(`a click did not select the span: "${selected}"`);
  // The time axis stays at the top of the scroller while the rows scroll under it.
  const sticky = await frame.evaluate(async () => {
    const scroller = document.querySelector('.timeline-scroll');
    const head = document.querySelector('.timeline-head');
    scroller.scrollTop = Math.min(300, scroller.scrollHeight - scroller.clientHeight);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const out = {
      scrolled: scroller.scrollTop,
      headTop: head.getBoundingClientRect().top,
      scrollerTop: scroller.getBoundingClientRect().top,
      headHeight: head.getBoundingClientRect().height,
    };
    scroller.scrollTop = 0;
    return out;
  });
  if (sticky.scrolled > 0 && Math.abs(sticky.headTop - sticky.scrollerTop) > 2)
    throw new Error(`the time axis scrolled away (${JSON.stringify(sticky)})`);
  if (sticky.headHeight < 10) throw new Error(`the time axis header is ${sticky.headHeight} px high`);
  // The summary's per-tile row: K-loop against epilogue, its text on screen and not cut off.
  const perTile = await frame.evaluate(() => {
    const row = [...document.querySelectorAll('table.summary-table tr')].find(
      (r) => r.querySelector('th')?.textContent === 'per tile: K-loop / epilogue',
    );
    if (!row) return undefined;
    const td = row.querySelector('td');
    const r = td.getBoundingClientRect();
    return {
      text: td.textContent,
      right: r.right,
      width: r.width,
      vw: document.documentElement.clientWidth,
      warn: row.classList.contains('row-warn'),
      overflow: td.scrollWidth - td.clientWidth,
    };
  });
  if (!perTile) throw new Error('the summary has no per-tile K-loop / epilogue row');
  if (!/^\d[\d.]* (ns|µs|ms) \/ \d[\d.]* (ns|µs|ms) \(p90 /.test(perTile.text))
    throw new Error(`the per-tile row reads "${perTile.text}"`);
  if (perTile.width < 40 || perTile.overflow > 1 || perTile.right > perTile.vw + 1)
    throw new Error(`the per-tile row's text does not fit: ${JSON.stringify(perTile)}`);
  return `${await themeOfFrame(frame)}: 6 coloured swatches; tooltip at ${Math.round(Math.hypot(dx, dy))} px from the cursor, inside ${geo.vw}x${geo.vh}: "${geo.text.split('\n')[0]}"; ${selected}; axis stays in view after scrolling ${sticky.scrolled} px; per tile "${perTile.text}"${perTile.warn ? ' (warned)' : ''}`;
}

/** Accuracy: picks the outliers report; histogram bars and heatmap cells are coloured, not black. */
export async function checkAccuracy(frame, { pick = 'outliers' } = {}) {
  const select = frame.locator('select#report-pick');
  const options = await select.locator('option').allTextContents();
  const index = options.findIndex((o) => o.startsWith(pick));
  if (index < 0) throw new Error(`the report picker offers [${options.join(' | ')}], no ${pick}`);
  await select.selectOption(String(index));
  await frame.locator('h1', { hasText: pick }).waitFor({ timeout: 30_000 });
  const bg = await background(frame);
  const bar = await frame
    .locator('svg.chart rect.bar.hist')
    .first()
    .evaluate((el) => getComputedStyle(el).fill);
  assertVisible('histogram bars', bar, bg, 1.5);
  const cells = await frame.locator('svg.chart rect.heat').evaluateAll((els) =>
    els.slice(0, 200).map((e) => {
      const s = getComputedStyle(e);
      return [s.fill, s.fillOpacity];
    }),
  );
  if (!cells.length) throw new Error('no heatmap cells');
  const black = cells.filter(([f]) => {
    const c = parseRgb(f);
    return !c || c.r + c.g + c.b === 0;
  });
  if (black.length) throw new Error(`${black.length} heatmap cells are black or uncoloured (${black[0][0]})`);
  const table = (await frame.locator('table.accuracy-table tbody tr').first().innerText()).replace(/\s+/g, ' ').trim();
  return `${await themeOfFrame(frame)}: ${options.length} reports, showing ${pick}; bars ${bar}; ${cells.length} heat cells coloured; ${table}`;
}

/** Side-bar explorer: compact layout, and nothing (text, table, chart) wider than the view. */
export async function checkExplorerFits(frame) {
  const r = await frame.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const over = [];
    for (const el of document.querySelectorAll('#app *')) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (rect.right > vw + 1)
        over.push(
          `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} right ${Math.round(rect.right)}: "${(el.textContent ?? '').trim().slice(0, 40)}"`,
        );
      // Text clipped inside its own box (overflow hidden / ellipsis) also counts as not fitting.
      if (
        el.children.length === 0 &&
        el.scrollWidth > el.clientWidth + 1 &&
        getComputedStyle(el).overflowX !== 'visible'
      )
        over.push(`${el.tagName.toLowerCase()} clips "${(el.textContent ?? '').trim().slice(0, 40)}"`);
    }
    // The shape form must be on the first screen, whatever the view shows above it.
    const input = document.getElementById('shape');
    const inputBottom = input ? input.getBoundingClientRect().bottom + window.scrollY : Infinity;
    return {
      vw,
      vh: window.innerHeight,
      inputBottom: Math.round(inputBottom),
      compact: document.body.classList.contains('compact'),
      scroll: document.documentElement.scrollWidth,
      over: over.slice(0, 8),
    };
  });
  if (!r.compact) throw new Error(`the side-bar explorer (${r.vw} px wide) is not in its compact layout`);
  if (r.scroll > r.vw + 1) throw new Error(`the page scrolls sideways (${r.scroll} px in ${r.vw} px)`);
  if (r.over.length) throw new Error(`wider than the ${r.vw} px view: ${r.over.join('; ')}`);
  if (r.inputBottom > r.vh)
    throw new Error(`the shape field ends at ${r.inputBottom} px, below the ${r.vh} px the view shows at first`);
  return `${r.vw} px wide, compact, nothing overflows, the shape field in view (ends at ${r.inputBottom} of ${r.vh} px)`;
}

/** Results panel: hovering a row's config shows its picture (tiles by wave, shared memory, registers) inside the view. */
export async function checkConfigPopover(page, frame, shot) {
  const cell = frame.locator('table.data td[data-key="config"]').first();
  await cell.scrollIntoViewIfNeeded();
  const box = await cell.boundingBox();
  if (!box) throw new Error('no config cell on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const pop = frame.locator('.config-popover');
  await pop.waitFor({ state: 'visible', timeout: 10_000 });
  const r = await frame.evaluate(() => {
    const p = document.querySelector('.config-popover');
    const rect = p.getBoundingClientRect();
    const tiles = p.querySelectorAll('rect.tile').length;
    const last = p.querySelectorAll('rect.tile.wave-last').length;
    const fill = tiles ? getComputedStyle(p.querySelector('rect.tile')).fill : '';
    return {
      rect: [rect.left, rect.top, rect.right, rect.bottom],
      vw: window.innerWidth,
      vh: window.innerHeight,
      tiles,
      last,
      fill,
      smem: p.querySelectorAll('rect.smem').length,
      text: p.querySelector('svg')?.getAttribute('aria-label') ?? '',
    };
  });
  await shot?.();
  await page.mouse.move(0, 0);
  const [l, t, rt, b] = r.rect;
  if (l < 0 || t < 0 || rt > r.vw + 1 || b > r.vh + 1)
    throw new Error(`the config picture [${r.rect.map(Math.round)}] leaves the view (${r.vw}x${r.vh})`);
  if (!r.tiles || !r.smem)
    throw new Error(`the config picture has ${r.tiles} tiles and ${r.smem} shared-memory segments`);
  const c = parseRgb(r.fill);
  if (!c || c.a < 0.3) throw new Error(`the tiles have no colour (${r.fill})`);
  return `config picture on hover: ${r.tiles} tiles (${r.last} in a ragged last wave), ${r.smem} shared-memory segments; ${r.text.slice(0, 80)}`;
}

/**
 * Results panel: "Compare with…" → a file → the comparison: one row per shape with B over A and the
 * spreads, a verdict only where they allow, and the ratio chart with a point per shape.
 */
export async function checkCompare(page, ui, frame, file, { shapes }) {
  await frame.locator('button', { hasText: /^Compare with/ }).click();
  // The same picker as "Open saved run…": its first item opens a file.
  const item = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: 'Open a file' })
    .first();
  await ui.commandPick(page, item);
  await page.keyboard.press('Enter');
  await pickInFileDialog(page, file);
  const section = frame.locator('section.compare');
  await section.waitFor({ timeout: 60_000 });
  const rows = await section.locator('table.data tbody tr').count();
  if (rows !== shapes) throw new Error(`the comparison has ${rows} rows for ${shapes} shapes`);
  const summary = (await section.locator('p.verdict').innerText()).trim();
  if (!/geometric mean \d\.\d{3}x over \d+ shapes/.test(summary))
    throw new Error(`no summary of the ratios: ${summary}`);
  const cells = await section.locator('table.data tbody tr').first().locator('td').allInnerTexts();
  if (!/^\d+\.\d{3}x ±\d+\.\d%$/.test(cells[5] ?? ''))
    throw new Error(`the first ratio cell is "${cells[5]}", not "r.rrrx ±s.s%"`);
  const points = await section.locator('svg.chart circle.point.series-compare').count();
  if (points !== shapes) throw new Error(`${points} points in the ratio chart for ${shapes} shapes`);
  return `${rows} shapes compared; "${summary}"`;
}
