import { describe, expect, test } from 'vitest';
import { downloadFile, type DownloadEnv } from './download';

function fakeEnv(clickThrows = false) {
  const log: string[] = [];
  const deferred: (() => void)[] = [];
  const blobs: Blob[] = [];
  const env: DownloadEnv = {
    createObjectURL: (blob) => {
      blobs.push(blob);
      log.push('create');
      return `blob:${blobs.length}`;
    },
    revokeObjectURL: (url) => log.push(`revoke ${url}`),
    click: (url, name) => {
      log.push(`click ${url} ${name}`);
      if (clickThrows) throw new Error('blocked');
    },
    defer: (run) => deferred.push(run),
  };
  return { env, log, deferred, blobs };
}

describe('downloadFile', () => {
  test('clicks a link to an object URL, then revokes it', async () => {
    const { env, log, deferred, blobs } = fakeEnv();
    downloadFile('a,b\r\n', 'x.csv', 'text/csv', env);
    expect(log).toEqual(['create', 'click blob:1 x.csv']);
    deferred.forEach((run) => run());
    expect(log).toEqual(['create', 'click blob:1 x.csv', 'revoke blob:1']);
    expect(blobs[0]!.type).toBe('text/csv');
    expect(await blobs[0]!.text()).toBe('a,b\r\n');
  });

  test('a failed click still revokes the URL and reports the error', () => {
    const { env, log, deferred } = fakeEnv(true);
    expect(() => downloadFile('x', 'x.json', 'application/json', env)).toThrow('blocked');
    deferred.forEach((run) => run());
    expect(log.at(-1)).toBe('revoke blob:1');
  });

  test('bytes keep their content and type', async () => {
    const { env, blobs } = fakeEnv();
    downloadFile(new Uint8Array([80, 75, 3, 4]).buffer, 'm.zip', 'application/zip', env);
    expect(blobs[0]!.type).toBe('application/zip');
    expect([...new Uint8Array(await blobs[0]!.arrayBuffer())]).toEqual([80, 75, 3, 4]);
  });
});
