/** Shape arithmetic lives in src/shape (below both tensor and backend); re-exported here for existing imports. */
export * from '../shape/index.js';
