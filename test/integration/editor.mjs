// Driving the workbench's editor from Playwright: open a file by name at a line (Quick Open, then
// Go to Line, both through the palette's input), and hover the mouse over a piece of text on screen until a hover shows. Positions
// come from the rendered text (a DOM Range over the view line), not from pixel guesses.

const editorLines = '.editor-group-container.active .monaco-editor .view-lines';

/** Opens the workspace file whose name is `fileName` (Quick Open) and goes to `position` ("line" or "line:column"). */
export async function openFileAtLine(page, fileName, position) {
  // F1 (the palette) reaches the workbench even when a webview has focus; emptying its '>' prefix
  // turns it into Quick Open, and ':' into Go to Line.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 30_000 });
  await page.locator(editorLines).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${position}`);
  await page.keyboard.press('Enter');
  await page.locator(`${editorLines} .view-line`).first().waitFor();
}

/** Screen box of characters [offset, offset+length) of the first visible editor line containing `needle`. */
async function textBox(page, needle, offset, length) {
  return page.evaluate(
    ({ selector, needle, offset, length }) => {
      // Monaco renders spaces as U+00A0.
      for (const line of document.querySelectorAll(`${selector} .view-line`)) {
        const text = (line.textContent ?? '').replace(/\u00a0/g, ' ');
        const at = text.indexOf(needle);
        if (at < 0) continue;
        const from = at + offset;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let seen = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const len = node.textContent.length;
          if (seen + len > from) {
            const range = document.createRange();
            range.setStart(node, from - seen);
            range.setEnd(node, Math.min(len, from - seen + length));
            const b = range.getBoundingClientRect();
            return { x: b.x + b.width / 2, y: b.y + b.height / 2, width: b.width };
          }
          seen += len;
        }
      }
      return null;
    },
    { selector: editorLines, needle, offset, length },
  );
}

/**
 * Moves the mouse onto characters [offset, offset+length) of the line showing `needle` and waits
 * for a visible hover whose text satisfies `accept` (the language server may still be starting:
 * the mouse leaves and comes back until it answers). Returns the hover's locator.
 */
export async function hoverOver(page, needle, offset, length, accept, timeoutMs = 90_000) {
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ visible: true });
  const end = Date.now() + timeoutMs;
  let lastText = '';
  while (Date.now() < end) {
    const box = await textBox(page, needle, offset, length);
    if (!box) throw new Error(`no editor line on screen shows ${JSON.stringify(needle)}`);
    await page.mouse.move(box.x - 40, box.y + 200);
    await page.mouse.move(box.x, box.y, { steps: 4 });
    try {
      await hover.first().waitFor({ timeout: 6000 });
      // The hover can show "Loading..." first.
      for (let i = 0; i < 20; i++) {
        lastText = (await hover.first().innerText()).replace(/\s+/g, ' ');
        if (accept(lastText)) return hover.first();
        await new Promise((r) => setTimeout(r, 250));
      }
    } catch {
      /* no hover yet */
    }
  }
  throw new Error(
    `no hover over ${JSON.stringify(needle)} [${offset}, +${length}) was accepted within ${timeoutMs} ms; last hover: ${lastText.slice(0, 300) || '(none)'}`,
  );
}
