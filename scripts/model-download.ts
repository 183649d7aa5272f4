/**
 * Downloads for `npm run model:fetch`: one file over HTTP(S) with a connect timeout and a stall
 * timeout (so "no network" fails in seconds, never hangs), progress, and an MD5 check like
 * Keras' `get_file(file_hash=…)`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';

/** A download that failed; `offline` when the network (or the host) could not be reached. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    message: string,
    readonly offline: boolean,
  ) {
    super(message);
  }
}

/** Timeouts and progress for {@link downloadFile}. */
export interface DownloadOptions {
  /** ms until the server must have answered with headers (default 15 s) */
  connectTimeoutMs?: number;
  /** ms the body may go without a byte before giving up (default 30 s) */
  stallTimeoutMs?: number;
  onProgress?: (received: number, total: number | null) => void;
}

const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The innermost cause's code and message of a fetch failure (undici nests them). */
function rootCause(error: unknown): { code: string | undefined; message: string } {
  let e = error as { cause?: unknown; code?: string; message?: string } | undefined;
  while (e?.cause && typeof e.cause === 'object') e = e.cause;
  return { code: e?.code, message: e?.message ?? String(error) };
}

/**
 * Downloads `url` to `dest` (through `dest.partial`, renamed when complete). Throws a
 * {@link DownloadError} that says what happened.
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<void> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const controller = new AbortController();
  let timedOut: string | null = null;
  let timer = setTimeout(() => {
    timedOut = `no answer within ${connectTimeoutMs / 1000} s`;
    controller.abort();
  }, connectTimeoutMs);
  const partial = `${dest}.partial`;
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      const cause = rootCause(error);
      const offline =
        timedOut !== null || (cause.code !== undefined && OFFLINE_CODES.has(cause.code));
      throw new DownloadError(
        `${url}: ${timedOut ?? (cause.code ? `${cause.code} (${cause.message})` : cause.message)}`,
        offline,
      );
    }
    if (!response.ok || !response.body) {
      throw new DownloadError(`${url}: the server answered HTTP ${response.status}`, false);
    }
    const total = Number(response.headers.get('content-length')) || null;
    const out = createWriteStream(partial);
    let received = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = `the download stalled for ${stallTimeoutMs / 1000} s`;
          controller.abort();
        }, stallTimeoutMs);
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw new DownloadError(
            `${url}: ${timedOut ?? rootCause(error).message} after ${received} bytes`,
            true,
          );
        }
        if (chunk.done) break;
        received += chunk.value.byteLength;
        if (!out.write(chunk.value))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        options.onProgress?.(received, total);
      }
    } finally {
      out.end();
      await finished(out);
    }
    if (total !== null && received !== total) {
      throw new DownloadError(`${url}: got ${received} of ${total} bytes`, true);
    }
    renameSync(partial, dest);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Hex digest of a file, streamed (the weight files are ~92 MB). */
export async function fileDigest(path: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
