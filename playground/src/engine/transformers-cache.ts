// Transformers.js model files in the Origin Private File System, so a second visit loads
// offline. Transformers.js asks this cache (its `customCache` seam, the Cache API's `match` and
// `put`) before fetching any file, and puts each file it fetched; a picked folder is put here
// first and then loaded as if it came from a URL. Files stream in, never held whole.

import { publishPart, streamIntoOpfs } from './opfs-file.js';

const DIR = 'offline-consent-transformers';

/** The subset of the Cache API that Transformers.js calls on a custom cache. */
export interface ModelFileCache {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response, progress?: (p: { progress: number; loaded: number; total: number }) => void): Promise<void>;
  delete(key: string): Promise<boolean>;
}

async function filesDir(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System to cache the model in');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
}

/** The OPFS file name of a cache key (a URL or path): reversible, and legal as one file name. */
export function fileNameOf(key: string): string {
  return encodeURIComponent(key).replace(/\*/g, '%2A').replace(/\./g, '%2E');
}

/** Streams `body` into the cache file `name`, counting bytes; the file appears when complete. */
async function write(name: string, body: ReadableStream<Uint8Array>, onBytes: (loaded: number) => void): Promise<number> {
  const dir = await filesDir();
  const loaded = await streamIntoOpfs(dir, name, body, onBytes);
  await publishPart(dir, name);
  return loaded;
}

/** A Transformers.js cache backed by OPFS. */
export function opfsModelCache(): ModelFileCache {
  return {
    async match(key) {
      try {
        const file = await (await (await filesDir()).getFileHandle(fileNameOf(key))).getFile();
        return new Response(file, { headers: { 'content-length': String(file.size) } });
      } catch {
        return undefined; // not cached (NotFoundError), or no OPFS: Transformers.js then fetches
      }
    },
    async put(key, response, progress) {
      if (!response.body) return;
      const total = Number(response.headers.get('content-length')) || 0;
      await write(fileNameOf(key), response.body, (loaded) => progress?.({ loaded, total, progress: total ? (loaded / total) * 100 : 0 }));
    },
    async delete(key) {
      try {
        await (await filesDir()).removeEntry(fileNameOf(key));
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Puts a picked model folder into the cache under `prefix` + each file's path inside the folder
 * (`config.json`, `onnx/model.onnx`, …) and returns the folder's name, the model id to load.
 */
export async function cachePickedFolder(files: readonly File[], prefix: string, onProgress: (loaded: number, total: number) => void): Promise<string> {
  const withPath = files.map((file) => ({ file, path: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name }));
  const root = withPath[0]?.path.includes('/') ? withPath[0].path.split('/')[0]! : 'picked-model';
  if (!withPath.some(({ path }) => /(^|\/)config\.json$/.test(path))) throw new Error('the picked folder has no config.json: pick the model\'s folder (config.json, tokenizer.json, onnx/…)');
  const total = files.reduce((sum, f) => sum + f.size, 0);
  let done = 0;
  for (const { file, path } of withPath) {
    const inside = path.includes('/') ? path.slice(path.indexOf('/') + 1) : path;
    const written = await write(fileNameOf(`${prefix}${root}/${inside}`), file.stream(), (loaded) => onProgress(done + loaded, total));
    done += written;
  }
  return root;
}
