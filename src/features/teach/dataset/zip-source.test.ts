import { BlobWriter, TextReader, ZipWriter } from '@zip.js/zip.js';
import { describe, expect, it } from 'vitest';
import { parseLayout } from './layout';
import { openZip } from './zip-source';

/** A ZIP with these files (deflated), as a Blob. */
async function zipOf(files: Record<string, string>): Promise<Blob> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false });
  for (const [name, text] of Object.entries(files)) {
    await writer.add(name, new TextReader(text));
  }
  return writer.close();
}

describe('openZip', () => {
  it('lists entries, then reads each one lazily', async () => {
    const blob = await zipOf({
      'set/cats/1.jpg': 'cat one',
      'set/dogs/2.png': 'dog two '.repeat(100),
      'set/notes.txt': 'hello',
    });
    // Count what the reader reads: the listing must not read the entries' data.
    let read = 0;
    const counting = new Proxy(blob, {
      get(target, prop) {
        if (prop === 'slice') {
          return (start?: number, end?: number) => {
            read += (end ?? target.size) - (start ?? 0);
            return target.slice(start, end);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const zip = await openZip(counting);
    expect(zip.entries.map((e) => e.path)).toEqual([
      'set/cats/1.jpg',
      'set/dogs/2.png',
      'set/notes.txt',
    ]);
    expect(read).toBeLessThan(blob.size);
    const layout = parseLayout(zip.entries);
    expect(layout.classes).toEqual(['cats', 'dogs']);
    expect(layout.skipped).toEqual([{ path: 'set/notes.txt', reason: 'not a photo (.txt)' }]);
    const dog = await layout.photos[1]!.source.read();
    expect(await dog.text()).toBe('dog two '.repeat(100));
    await zip.close();
  });

  it('says clearly when the file is not a ZIP', async () => {
    await expect(openZip(new Blob(['not a zip at all']))).rejects.toThrow(
      /could not be read as a ZIP/,
    );
  });
});
