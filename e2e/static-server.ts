/**
 * A minimal static host for a built app folder that can be switched to another folder while it
 * runs — how a real host rolls out a new version — so service-worker updates can be tested.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** A running static server; `serve(dir)` switches what it serves. */
export interface StaticHost {
  origin: string;
  serve(dir: string): void;
  close(): Promise<void>;
}

/** Starts a static host on 127.0.0.1:`port` serving `dir` (index.html for unknown paths). */
export function startStaticHost(dir: string, port: number): Promise<StaticHost> {
  let root = resolve(dir);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(resolve(root, `.${path}`));
    if (!file.startsWith(root + sep) && file !== root) {
      res.statusCode = 403;
      res.end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = resolve(root, 'index.html');
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', 'no-cache');
    createReadStream(file).pipe(res);
  });
  return new Promise((ready) =>
    server.listen(port, '127.0.0.1', () =>
      ready({
        origin: `http://127.0.0.1:${port}`,
        serve: (next) => {
          root = resolve(next);
        },
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
