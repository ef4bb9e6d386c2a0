// Which dropped URIs a view asks the host to open: JSON files only, VS Code's resource list and
// text/uri-list alike, comments and duplicates dropped, at most four.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { droppedUris } from '../../../webview/src/ui/dropFiles';

const transfer = (data: Record<string, string>) => ({ getData: (t: string) => data[t] ?? '' });

describe('droppedUris', () => {
  it('takes the .json files of both lists once each', () => {
    assert.deepEqual(
      droppedUris(
        transfer({
          'application/vnd.code.uri-list': 'file:///w/bench.json\r\nfile:///w/notes.txt',
          'text/uri-list': '# a comment\nfile:///w/bench.json\nvscode-remote://ssh-remote%2Bgpu/home/me/accuracy.JSON',
        }),
      ),
      ['file:///w/bench.json', 'vscode-remote://ssh-remote%2Bgpu/home/me/accuracy.JSON'],
    );
  });
  it('keeps at most four and nothing from an empty drop', () => {
    const many = Array.from({ length: 9 }, (_, i) => `file:///w/run-${i}.json`).join('\n');
    assert.equal(droppedUris(transfer({ 'text/uri-list': many })).length, 4);
    assert.deepEqual(droppedUris(transfer({})), []);
  });
});
