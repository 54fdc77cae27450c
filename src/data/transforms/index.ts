/** torchvision.transforms for convnet-ts: the transform classes, and `functional` (torchvision.transforms.functional). */
export {
  Transform, Compose, Resize, CenterCrop, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, ColorJitter, ToTensor, Normalize,
  Grayscale, registerTransform, transformFromSpec,
  type TransformSpec, type TransformValue, type RandomCropOptions, type RandomResizedCropOptions, type ColorJitterOptions, type JitterRange,
} from './transforms.js';
export * as functional from './functional.js';
export type { Interpolation } from './resample.js';
