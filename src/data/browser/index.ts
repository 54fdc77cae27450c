/** The browser side of the data layer: decoding with createImageBitmap, ImageList (images by URL), the Web Worker pool (registered on import). */
export { decodeImageBlob, fetchImage, browserDecodeSupported } from './decode.js';
export { ImageList, UrlSource, type ImageListOptions } from './image-list.js';
export { WebWorkerPool } from './worker-pool.js';
