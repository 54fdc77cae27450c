/**
 * Node's platform, installed as a side effect of importing this module: the Node entry of the
 * package imports it first (`import './backend/platform/node.js'`). It is the only file under
 * src/backend that imports `node:` modules.
 */
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import * as workerThreads from 'node:worker_threads';
import * as url from 'node:url';
import { setPlatform } from './current.js';
import { makeNodePlatform } from './node-impl.js';

/** The Node platform (installed by importing this module). */
export const nodePlatform = makeNodePlatform({ fs, os, v8, workerThreads, url });
setPlatform(nodePlatform);
