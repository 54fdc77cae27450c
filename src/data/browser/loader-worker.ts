/** A page's data worker (module Web Worker): rebuilds the samples and transform, then makes each batch it is sent. */
import { buildBatch, loadAll, type BatchTask, type ItemSource } from '../loader/batch.js';
import type { WorkerInit } from '../loader/platform.js';
import { transformFromSpec, type Transform } from '../transforms/transforms.js';
import { PixelSource } from '../pixel-source.js';
import { UrlSource } from './image-list.js';

interface Scope { postMessage(m: unknown, t?: unknown[]): void; onmessage: ((e: { data: unknown }) => void) | null }
const scope = globalThis as unknown as Scope;

let source: ItemSource | null = null;
let transform: Transform | null = null;
let skipBad = false;
let chain = Promise.resolve();

async function run(task: BatchTask): Promise<void> {
  try {
    const loaded = await loadAll(source!, task.indices);
    const payload = buildBatch(source!, task, loaded, transform, skipBad);
    scope.postMessage({ type: 'batch', payload }, [payload.x.buffer, payload.y.buffer]);
  } catch (e) {
    scope.postMessage({ type: 'error', id: task.id, message: (e as Error)?.message ?? String(e) });
  }
}

scope.onmessage = (e) => {
  const m = e.data as { type: 'init'; init: WorkerInit } | { type: 'task'; task: BatchTask };
  if (m.type === 'init') {
    try {
      const s = m.init.source;
      source = s.kind === 'pixels' ? new PixelSource(s.images, s.labels, s.height, s.width, s.channels, s.names)
        : s.kind === 'urls' ? new UrlSource(s.urls, s.labels, s.channels)
        : null;
      if (source === null) throw new Error(`a page's data worker cannot read '${s.kind}' samples (files need convnet-ts/node)`);
      transform = m.init.transform === null ? null : transformFromSpec(m.init.transform);
      skipBad = m.init.skipBad;
    } catch (err) {
      scope.postMessage({ type: 'fatal', message: `data worker: ${(err as Error).message}` });
    }
    return;
  }
  chain = chain.then(() => run(m.task));
};
