/** Whether this browser can run the MediaPipe engine, and if not, a sentence saying why. */
export async function detectWebGPU(): Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { ok: false, reason: 'This browser has no WebGPU (navigator.gpu is missing).' };
  try {
    const adapter = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string } } | null;
    if (!adapter) return { ok: false, reason: 'WebGPU is present but no GPU adapter is available (blocked, or no supported GPU).' };
    return { ok: true, adapter: [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || 'GPU' };
  } catch (error) {
    return { ok: false, reason: `WebGPU adapter request failed: ${(error as Error).message}` };
  }
}
