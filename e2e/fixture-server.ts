/**
 * A tiny static server for test fixtures on a second origin (a model "hosted elsewhere"):
 *   /shared/…     → ../shared (the real MobileNet and photos)
 *   /generated/…  → e2e/.fixtures (models the test set-up builds)
 *   /flaky/<token>/… → the same files, but every weight file fails twice before it is served
 * It sends CORS and CORP headers so the app (cross-origin) may fetch from it.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, normalize, resolve, sep } from 'node:path';
import { FIXTURE_PORT, GENERATED_DIR, SHARED_DIR } from './paths';

const ROOTS: Record<string, string> = { shared: SHARED_DIR, generated: GENERATED_DIR };
const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

const failures = new Map<string, number>();

createServer((req, res) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') {
    res.end('ok');
    return;
  }
  // /flaky/<token>/<path>: each weight file's first two requests lose their connection (a
  // dropped network); the token keeps separate test runs apart.
  let pathname = url.pathname;
  const flaky = /^\/flaky\/[^/]+/.exec(pathname);
  if (flaky) {
    const seen = (failures.get(pathname) ?? 0) + 1;
    failures.set(pathname, seen);
    pathname = pathname.slice(flaky[0].length);
    if (seen <= 2 && !pathname.endsWith('model.json') && !pathname.endsWith('metadata.json')) {
      req.socket.destroy();
      return;
    }
  }
  const [, rootName, ...rest] = pathname.split('/');
  const root = rootName ? ROOTS[rootName] : undefined;
  const file = root ? normalize(resolve(root, decodeURIComponent(rest.join('/')))) : '';
  if (!root || !file.startsWith(root + sep)) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', stat.size);
    createReadStream(file).pipe(res);
  } catch {
    res.statusCode = 404;
    res.end('not found');
  }
}).listen(FIXTURE_PORT, '127.0.0.1', () => {
  console.log(`fixture server on http://127.0.0.1:${FIXTURE_PORT}`);
});
