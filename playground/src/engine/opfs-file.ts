// One file streamed into an OPFS directory: written as `name.part`, renamed when complete, so a
// reader never sees half a file; a failed or aborted write leaves nothing behind.

type MovableFile = FileSystemFileHandle & { move(newName: string): Promise<void> };

/** Streams `body` into `dir`/`name`, calling `onBytes` with the bytes written so far; returns the byte count. */
export async function streamIntoOpfs(dir: FileSystemDirectoryHandle, name: string, body: ReadableStream<Uint8Array>, onBytes: (loaded: number) => void, signal?: AbortSignal): Promise<number> {
  const part = await dir.getFileHandle(`${name}.part`, { create: true });
  let loaded = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      onBytes(loaded);
      controller.enqueue(chunk);
    },
  });
  try {
    await body.pipeThrough(counter, signal ? { signal } : {}).pipeTo(await part.createWritable());
  } catch (error) {
    await dir.removeEntry(`${name}.part`).catch(() => {});
    throw error;
  }
  return loaded;
}

/** Makes a complete `name.part` appear under `name` at once (replacing an older `name`). */
export async function publishPart(dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  await dir.removeEntry(name).catch(() => {});
  await ((await dir.getFileHandle(`${name}.part`)) as MovableFile).move(name);
}
