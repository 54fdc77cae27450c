/**
 * A data worker (worker_threads): rebuilds the dataset's samples and transform from the WorkerInit
 * it was started with, then makes each batch it is sent — or, in decode-only mode, just decodes
 * the images — and posts the result on its port, waking the training thread through the shared
 * counter (see worker-pool.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { buildBatch, ImageLoadError, loadAll, type BatchTask, type ItemSource } from '../loader/batch.js';
import type { WorkerInit } from '../loader/platform.js';
import { transformFromSpec } from '../transforms/transforms.js';
import { PixelSource } from '../pixel-source.js';
import { FileSource } from './file-source.js';
import { UrlSource as UrlFetchSource } from '../browser/image-list.js';
import type { WorkerReply } from './worker-pool.js';

const { init, port, signal, decodeOnly } = workerData as { init: WorkerInit; port: MessagePort; signal: Int32Array; decodeOnly: boolean; workerId: number };

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function fatal(e: unknown): void {
  post({ type: 'fatal', message: `data worker: ${(e as Error)?.message ?? String(e)}` });
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

let source: ItemSource;
let transform = null as ReturnType<typeof transformFromSpec> | null;
try {
  const s = init.source;
  source = s.kind === 'pixels' ? new PixelSource(s.images, s.labels, s.height, s.width, s.channels, s.names)
    : s.kind === 'files' ? new FileSource(s.files, s.labels, s.channels)
    : new UrlFetchSource(s.urls, s.labels, s.channels);
  transform = init.transform === null ? null : transformFromSpec(init.transform);
} catch (e) {
  fatal(e);
  throw e;
}

async function run(task: BatchTask): Promise<void> {
  try {
    const loaded = await loadAll(source, task.indices);
    if (decodeOnly) {
      const items = loaded.map((r) => (r.ok ? { ok: true as const, img: r.img }
        : r.error instanceof ImageLoadError ? { ok: false as const, file: r.error.file, reason: r.error.reason, message: r.error.message }
        : { ok: false as const, message: (r.error as Error)?.message ?? String(r.error) }));
      // Copied, not transferred: decoder output may live in memory that cannot change threads.
      post({ type: 'decoded', id: task.id, items });
      return;
    }
    const payload = buildBatch(source, task, loaded, transform, init.skipBad);
    post({ type: 'batch', payload }, [payload.x.buffer as ArrayBuffer, payload.y.buffer as ArrayBuffer]);
  } catch (e) {
    post({ type: 'error', id: task.id, message: (e as Error)?.message ?? String(e) });
  }
}

// One batch at a time, in the order sent: a worker's batches never overtake each other.
let chain = Promise.resolve();
parentPort!.on('message', (m: { type: 'task'; task: BatchTask }) => {
  if (m.type === 'task') chain = chain.then(() => run(m.task));
});
