/** DataModule lives in the data layer (src/data/data-module.ts); re-exported here, where d2l keeps it beside the Trainer. */
export { DataModule, type BatchSource } from '../data/data-module.js';
