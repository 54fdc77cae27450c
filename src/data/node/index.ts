/** The Node side of convnet-ts's data layer: image folders and dataset files on disk, sharp decoding, worker_threads pools. */
export { ImageFolder, findClasses, probeChannels, IMG_EXTENSIONS, type ImageFolderOptions } from './image-folder.js';
export { CIFAR10, CIFAR100, MNIST, MNIST_CLASSES, DATASET_FILES, DATA_DIR_ENV, defaultDataRoot, type VisionDatasetOptions } from './datasets.js';
export { decodeImage, decodeImageFile, loadSharp, SHARP_MISSING } from './decode.js';
export { NodeWorkerPool } from './worker-pool.js';
export type { FetchOptions, RemoteFile } from './download.js';
