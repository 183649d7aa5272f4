/**
 * The whole library as CSV (one row per photo and rank) or JSON (one entry per photo), produced
 * batch by batch from the store: neither the records nor the file are ever whole in memory when the
 * browser can write to a file (File System Access API); elsewhere the chunks become one Blob.
 */
import type { PhotoRecord } from './library-store';

/** The export formats. */
export type LibraryExportFormat = 'csv' | 'json';

/** The CSV columns, in order. */
export const LIBRARY_CSV_COLUMNS = [
  'path',
  'name',
  'size',
  'last_modified',
  'status',
  'rank',
  'label',
  'probability',
  'model',
  'backend',
  'ms',
  'resize',
  'error',
] as const;

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLines(record: PhotoRecord): string {
  const common = [
    record.path,
    record.name,
    record.size,
    new Date(record.lastModified).toISOString(),
  ];
  const tail = (p?: { label: string; probability: number }, rank?: number) =>
    [
      ...common,
      record.status,
      rank ?? '',
      p?.label ?? '',
      p ? Number(p.probability.toFixed(6)) : '',
      record.modelId ?? '',
      record.backend ?? '',
      record.ms !== undefined ? Math.round(record.ms) : '',
      record.resizeMode ?? '',
      record.error ?? '',
    ]
      .map(csvField)
      .join(',');
  const predictions = record.predictions ?? [];
  if (predictions.length === 0) return `${tail()}\n`;
  return predictions.map((p, i) => `${tail(p, i + 1)}\n`).join('');
}

function jsonEntry(record: PhotoRecord): string {
  return JSON.stringify({
    path: record.path,
    name: record.name,
    size: record.size,
    lastModified: new Date(record.lastModified).toISOString(),
    status: record.status,
    ...(record.predictions
      ? {
          predictions: record.predictions.map((p) => ({
            label: p.label,
            index: p.index,
            probability: p.probability,
          })),
        }
      : {}),
    ...(record.error ? { error: record.error } : {}),
    model: record.modelId ?? null,
    backend: record.backend ?? null,
    ms: record.ms ?? null,
    resize: record.resizeMode ?? null,
  });
}

/** The export's text, chunk by chunk, from batches of records. */
export async function* libraryExportChunks(
  batches: AsyncIterable<PhotoRecord[]>,
  format: LibraryExportFormat,
  meta: { library: string; exportedAt: Date },
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${LIBRARY_CSV_COLUMNS.join(',')}\n`;
    for await (const batch of batches) yield batch.map(csvLines).join('');
    return;
  }
  yield `{"library":${JSON.stringify(meta.library)},"exportedAt":${JSON.stringify(meta.exportedAt.toISOString())},"photos":[`;
  let first = true;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    yield (first ? '\n' : ',\n') + batch.map(jsonEntry).join(',\n');
    first = false;
  }
  yield '\n]}\n';
}

/** Where the export goes: a file the user picked (streamed), else a download of one Blob. */
export async function saveExport(
  chunks: AsyncIterable<string>,
  fileName: string,
  type: string,
): Promise<void> {
  const picker = (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker as
    | ((o: { suggestedName: string }) => Promise<{
        createWritable(): Promise<{ write(d: string): Promise<void>; close(): Promise<void> }>;
      }>)
    | undefined;
  if (picker) {
    const handle = await picker({ suggestedName: fileName });
    const out = await handle.createWritable();
    for await (const chunk of chunks) await out.write(chunk);
    await out.close();
    return;
  }
  const parts: string[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const url = URL.createObjectURL(new Blob(parts, { type }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
