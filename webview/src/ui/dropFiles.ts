// Files dropped on a view (in VS Code, hold Shift while dragging onto a webview) are opened in their
// FP8 GEMM Lab view: the drop's URIs (VS Code's resource list, or text/uri-list) go to the host,
// which checks each one (a .json file of the local or remote workspace) before opening it.

import type { Host } from './host';

/** URIs a drop carries, JSON files first; at most a few (a drop of a whole folder is not a request). */
export function droppedUris(data: Pick<DataTransfer, 'getData'>): string[] {
  const lists = [data.getData('application/vnd.code.uri-list'), data.getData('text/uri-list')];
  const uris = lists
    .flatMap((l) => (l ?? '').split(/\r?\n/))
    .map((u) => u.trim())
    .filter((u) => u && !u.startsWith('#'));
  return [...new Set(uris)].filter((u) => /\.json$/i.test(u)).slice(0, 4);
}

export function acceptDroppedFiles(host: Host, say: (text: string) => void): void {
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('drop-target');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('drop-target'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('drop-target');
    const uris = e.dataTransfer ? droppedUris(e.dataTransfer) : [];
    if (!uris.length) {
      say('Drop an fp8lab JSON file (bench, grouped, tune, timeline capture, accuracy) to open it.');
      return;
    }
    for (const uri of uris) {
      host.request('file/open', { uri }).then(
        (r) =>
          say(
            r.opened ? `Opened ${decodeURIComponent(uri.split('/').pop() ?? uri)} (${r.opened})` : `Not opened: ${uri}`,
          ),
        (err: Error) => say(`Cannot open ${uri}: ${err.message}`),
      );
    }
  });
}
