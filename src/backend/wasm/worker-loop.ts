/**
 * The pool's hand-off protocol, shared by the calling thread and the workers. Both functions are
 * self-contained (they reference only their arguments and globals) because the platform turns
 * their source text into the worker's script: one implementation serves Node's worker_threads and
 * browsers' Web Workers, and no worker file has to be located.
 *
 * A job is a list of tasks; a task is a list of kernel calls run in order by one thread. The
 * calling thread publishes a job and claims tasks like any worker. Which thread runs which task
 * depends on timing; what a task computes does not (tasks write disjoint memory, or their own
 * partial sums that are reduced in a fixed order afterwards), so results never depend on timing.
 */

/** Indices into the control block (Int32Array) and the job table (Float64Array). */
export const LAYOUT = {
  // ctrl
  GEN: 0,      // job generation; idle workers wait on it
  QUIT: 1,     // set by dispose()
  ERROR: 2,    // set when a kernel threw (a trap) while running a task
  NEXT: 3,     // claim word: (task count << COUNT_SHIFT) | next unclaimed task
  DONE: 4,     // tasks of the current job finished
  READY: 5,    // workers that have instantiated the module
  CTRL_INTS: 8,
  COUNT_SHIFT: 20,
  INDEX_MASK: 0xfffff,
  // table
  STRIDE: 0,   // bytes between the threads' scratch areas
  TASKS: 8,    // [first call, end call] per task
  MAX_TASKS: 1024,
  CALLS: 8 + 2 * 1024,
  SLOT: 20,    // per call: [kernel index, arg count, scratch arg position or -1, args...]
  MAX_CALLS: 2048,
  SPIN: 20000,
} as const;

/** The layout's type, as the worker receives it. */
export type Layout = typeof LAYOUT;

/**
 * Returns drain(id): claims and runs tasks of the current job until none is left unclaimed.
 * `call(kernel, args)` runs one kernel; the argument at a call's scratch position is offset by
 * id x STRIDE, so each thread computes in its own scratch area. Everything a task needs is read
 * after its claim succeeds, so a thread that was descheduled between two jobs can only ever claim
 * (and correctly run) a task of the job that is current when its claim lands.
 */
export function makeDrain(ctrl: Int32Array, table: Float64Array, L: Layout,
                          call: (kernel: number, args: number[]) => void): (id: number) => void {
  const args: number[] = [];
  // An anonymous arrow: a bundler's keep-names helper (esbuild's __name) would otherwise be called
  // inside this function's source, which runs in the worker where the helper does not exist.
  return (id: number): void => {
    for (;;) {
      const cur = Atomics.load(ctrl, L.NEXT);
      const count = cur >>> L.COUNT_SHIFT, next = cur & L.INDEX_MASK;
      if (next >= count) return;
      if (Atomics.compareExchange(ctrl, L.NEXT, cur, cur + 1) !== cur) continue;
      try {
        const stride = table[L.STRIDE]!;
        const end = table[L.TASKS + 2 * next + 1]!;
        for (let c = table[L.TASKS + 2 * next]!; c < end; c++) {
          const b = L.CALLS + c * L.SLOT;
          const argc = table[b + 1]!, sp = table[b + 2]!;
          args.length = argc;
          for (let i = 0; i < argc; i++) args[i] = table[b + 3 + i]!;
          if (sp >= 0) args[sp] = args[sp]! + id * stride;
          call(table[b]!, args);
        }
      } catch {
        Atomics.store(ctrl, L.ERROR, 1);
      }
      if (Atomics.add(ctrl, L.DONE, 1) + 1 === count) Atomics.notify(ctrl, L.DONE);
    }
  };
}

/** What a worker receives at start. */
export interface WorkerInit {
  module: unknown;
  memory: unknown;
  ctrl: SharedArrayBuffer;
  table: SharedArrayBuffer;
  id: number;
  names: readonly string[];
  layout: Layout;
}

/**
 * A worker's whole life: instantiate the kernels on the shared memory, report ready, then sleep on
 * GEN and drain each job until QUIT. A short spin before sleeping catches the back-to-back jobs of
 * a training step without a futex wake-up each (20,000 polls made LeNet ~5 % faster than 2,000 and
 * 200,000 no faster, 2026-12-04; a longer spin steals CPU from the caller on a shared machine).
 */
export function workerMain(init: WorkerInit, drainFactory: typeof makeDrain): void {
  const L = init.layout;
  const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: unknown, i: unknown) => { exports: Record<string, unknown> } } }).WebAssembly;
  const inst = new WA.Instance(init.module, { env: { memory: init.memory } });
  const fns = init.names.map((n) => inst.exports[n] as (...a: number[]) => unknown);
  const ctrl = new Int32Array(init.ctrl);
  const drain = drainFactory(ctrl, new Float64Array(init.table), L, (k, a) => { fns[k]!(...a); });
  Atomics.add(ctrl, L.READY, 1);
  Atomics.notify(ctrl, L.READY);
  let gen = 0;
  for (;;) {
    for (let i = 0; i < L.SPIN && Atomics.load(ctrl, L.GEN) === gen; i++);
    Atomics.wait(ctrl, L.GEN, gen);
    gen = Atomics.load(ctrl, L.GEN);
    if (Atomics.load(ctrl, L.QUIT) !== 0) return;
    drain(init.id);
  }
}

/**
 * The source of a worker script: `start(init)` runs the loop. The platform wraps it (Node: eval'd
 * code that gets init from workerData; browsers: a Blob script that gets it from its first message).
 */
export function workerScript(): string {
  return `const makeDrain = ${makeDrain.toString()};\nconst workerMain = ${workerMain.toString()};\n` +
    'function start(init) { workerMain(init, makeDrain); }\n';
}
