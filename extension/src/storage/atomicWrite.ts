// Write-then-rename: the text goes to a temp file beside the target (same folder, so the same
// filesystem), is flushed to disk, and is renamed over the target. A reader sees the old file or
// the whole new one; a writer killed mid-way leaves only its temp file, which no reader opens.
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** Temp files end with this; readers of a folder skip them. */
export const TEMP_SUFFIX = '.tmp';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  // Host, pid and a random tag: two writers (two nodes retrying one task) never share a temp file.
  const temp = `${file}.${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
  const handle = await fs.open(temp, 'w', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
