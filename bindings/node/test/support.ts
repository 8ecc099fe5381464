// Shared test fixtures: a loopback HTTP server (node:http, no deps) serving
// the repository's bundled models and photos, and a fresh model cache.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const photosDir = path.join(repoRoot, 'data', 'photos');
export const modelsDir = path.join(repoRoot, 'models');
export const photo = (name: string) => path.join(photosDir, name);

/** A fresh, empty model cache for this test process, removed when it exits. */
export function useTempCache(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etvision-node-cache-'));
  process.env.ETVISION_CACHE_DIR = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestServer {
  base: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves /models/<file> from models/ and /photos/<file> from data/photos/,
 * with Content-Length (so downloads report progress). /status/<code> answers
 * that status.
 */
export async function startServer(): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) {
      res.writeHead(Number(status[1]), { 'Content-Type': 'text/plain' });
      res.end('injected status\n');
      return;
    }
    const match = /^\/(models|photos)\/(.+)$/.exec(url.pathname);
    const root = match?.[1] === 'models' ? modelsDir : photosDir;
    const file = match ? path.resolve(root, decodeURIComponent(match[2])) : '';
    if (!match || !file.startsWith(root + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'Content-Length': size, 'Content-Type': 'application/octet-stream' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Top-k labels of a classification result. */
export function topK(result: { [category: string]: number }, k: number): [string, number][] {
  return Object.entries(result)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}

/** Runs `body` with the working directory set to a temp dir holding `path/to/image.png`. */
export async function inSeedDir<T>(imageFile: string, body: () => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etvision-node-seed-'));
  fs.mkdirSync(path.join(dir, 'path', 'to'), { recursive: true });
  fs.copyFileSync(imageFile, path.join(dir, 'path', 'to', 'image.png'));
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return await body();
  } finally {
    process.chdir(previous);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
