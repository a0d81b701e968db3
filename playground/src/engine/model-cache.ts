// Model files live in the Origin Private File System, so a second visit loads offline. Both
// sources (a URL, a picked file) are streamed into the cache and from it into the engine;
// a multi-gigabyte model is never held in one buffer.
import { publishPart, streamIntoOpfs } from './opfs-file.js';

export interface ModelProgress {
  loaded: number;
  /** Null when the server sends no length. */
  total: number | null;
}

const DIR = 'offline-consent-models';

/** OPFS methods that TypeScript's DOM types do not declare yet. */
type ListableDirectory = FileSystemDirectoryHandle & { values(): AsyncIterable<FileSystemHandle> };

async function modelsDir(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System to cache the model in');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
}

/** The file name a model is cached under: its URL's or file's last path segment. */
export function modelName(source: string): string {
  const last = source.split(/[/\\]/).pop()?.split(/[?#]/)[0] ?? '';
  const name = last.replace(/[^\w.-]/g, '_');
  if (!/\.(task|litertlm|bin)$/i.test(name)) throw new Error(`"${last || source}" does not look like a web model file (.task, .litertlm or .bin)`);
  return name;
}

/** The cached models, newest first. */
export async function listCachedModels(): Promise<Array<{ name: string; size: number }>> {
  const dir = await modelsDir();
  const out: Array<{ name: string; size: number; at: number }> = [];
  for await (const handle of (dir as ListableDirectory).values()) {
    if (handle.kind !== 'file' || handle.name.endsWith('.part')) continue;
    const file = await (handle as FileSystemFileHandle).getFile();
    out.push({ name: handle.name, size: file.size, at: file.lastModified });
  }
  return out.sort((a, b) => b.at - a.at).map(({ name, size }) => ({ name, size }));
}

export async function openCachedModel(name: string): Promise<File> {
  return (await (await modelsDir()).getFileHandle(name)).getFile();
}

/** Streams `body` into the cache under `name` (as `.part`, renamed when complete) and returns the cached file. */
async function cacheStream(name: string, body: ReadableStream<Uint8Array>, total: number | null, onProgress: (p: ModelProgress) => void, signal?: AbortSignal): Promise<File> {
  const dir = await modelsDir();
  const loaded = await streamIntoOpfs(dir, name, body, (bytes) => onProgress({ loaded: bytes, total }), signal);
  if (total !== null && loaded !== total) throw new Error(`download ended at ${loaded} of ${total} bytes`);
  await publishPart(dir, name);
  return openCachedModel(name);
}

export async function cacheModelFromUrl(url: string, onProgress: (p: ModelProgress) => void, fetcher: typeof fetch = fetch, signal?: AbortSignal): Promise<File> {
  const name = modelName(new URL(url, location.href).pathname);
  const response = await fetcher(url, signal ? { signal } : {});
  if (!response.ok || !response.body) throw new Error(`the model URL answered ${response.status} ${response.statusText}`.trim());
  const length = Number(response.headers.get('content-length'));
  return cacheStream(name, response.body, Number.isFinite(length) && length > 0 ? length : null, onProgress, signal);
}

export function cacheModelFromFile(file: File, onProgress: (p: ModelProgress) => void): Promise<File> {
  return cacheStream(modelName(file.name), file.stream(), file.size, onProgress);
}

export async function deleteCachedModel(name: string): Promise<void> {
  await (await modelsDir()).removeEntry(name);
}
