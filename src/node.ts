/**
 * `convnet-ts/node`: what needs Node's file system or threads — ImageFolder, the CIFAR/MNIST
 * readers and downloads, sharp decoding, the worker_threads data pool (registered on import, so
 * DataLoader's numWorkers works for any image dataset). Everything universal is in `convnet-ts`.
 */
export * from './data/node/index.js';
