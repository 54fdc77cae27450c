/** `--download`: fetch missing Fashion-MNIST files (checksum-verified) into the data directory before loading. */
import { downloadFashionMnist, FASHION_MNIST_FILES, resolveFashionMnistDir } from '../data/fashion-mnist-files.js';
import type { Flags } from './args.js';

/** With --download, fetch whatever files of `splits` the data directory lacks; log each file to `log`. */
export async function ensureData(f: Flags, log: { write(s: string): unknown }, splits: readonly ('train' | 'test')[] = ['train', 'test']): Promise<void> {
  if (!f.bool('download')) return;
  const d = f.str('data-dir');
  const dir = resolveFashionMnistDir(d === undefined ? {} : { dir: d });
  const files = splits.flatMap((s) => [FASHION_MNIST_FILES[s].images, FASHION_MNIST_FILES[s].labels]);
  await downloadFashionMnist(dir, {
    files,
    onFile: (r) => {
      if (r.status === 'downloaded') log.write(`downloaded ${r.url} (${r.bytes} bytes, sha256 verified) -> ${r.path}\n`);
    },
  });
}
