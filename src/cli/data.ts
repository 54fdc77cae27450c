/** `--download`: fetch missing Fashion-MNIST files (checksum-verified) into the data directory before loading. */
import { downloadFashionMnist, FASHION_MNIST_FILES, FASHION_MNIST_URL_ENV, resolveFashionMnistDir } from '../data/fashion-mnist-files.js';
import type { Flags, FlagSpec } from './args.js';

/** The download flag, shared by train and eval. */
export const DOWNLOAD_FLAGS: Record<string, FlagSpec> = {
  download: { type: 'bool', help: `fetch missing Fashion-MNIST files into the data directory (sha256-verified; mirror: $${FASHION_MNIST_URL_ENV})` },
};

/** With --download, fetch whatever of the four files the data directory lacks; log each file to `log`. */
export async function ensureData(f: Flags, log: { write(s: string): unknown }): Promise<void> {
  if (!f.bool('download')) return;
  const d = f.str('data-dir');
  const dir = resolveFashionMnistDir(d === undefined ? {} : { dir: d });
  const files = [FASHION_MNIST_FILES.train.images, FASHION_MNIST_FILES.train.labels, FASHION_MNIST_FILES.test.images, FASHION_MNIST_FILES.test.labels];
  await downloadFashionMnist(dir, {
    files,
    onFile: (r) => {
      if (r.status === 'downloaded') log.write(`downloaded ${r.url} (${r.bytes} bytes, sha256 verified) -> ${r.path}\n`);
    },
  });
}
