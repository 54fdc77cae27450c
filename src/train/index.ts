/** d2l's training toolkit: Module, Classifier, DataModule, Trainer, ProgressBoard, initCnn. */
export { Module, layerClassName, type ModuleOptions } from './module.js';
export { Classifier } from './classifier.js';
export { DataModule } from './data-module.js';
export {
  Trainer, NonFiniteLossError, MAX_BATCHES_ENV, type TrainerOptions, type TrainerCallbacks, type FitOptions, type EpochRecord, type BatchInfo,
  type ValBatchInfo,
} from './trainer.js';
export { ProgressReporter, formatEpochLine, epochJson, type ProgressStream } from './progress.js';
export { ProgressBoard, type Point, type ProgressBoardOptions, type ChartLayout } from './progress-board.js';
export { boardToPng, encodePng, rasterizeChart } from './plot-png.js';
export { initCnn } from './init-cnn.js';
export type { Optimizer, BatchSource, StepMetrics } from './types.js';
// d2l keeps its data modules beside the Trainer (d2l.FashionMNIST), so they are reachable here too.
export { FashionMNIST, ImageDataset, type FashionMNISTOptions } from '../data/fashion-mnist.js';
export { DataLoader, TensorDataset, type Dataset, type DataLoaderOptions } from '../data/dataloader.js';
export { resizeBilinear } from '../data/resize.js';
