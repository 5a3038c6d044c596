/**
 * Bytes allocated on the JS heap while `work` runs, GC or no GC: the net growth of the used heap
 * plus everything the collections in between freed (v8.GCProfiler reports the used size before
 * and after each one). Exact to the byte for what V8 counts as used heap; excludes off-heap
 * buffers. Used for the allocation-per-event figures, so that a hot-path allocation regression
 * shows up as a number rather than as a vague GC-pause change.
 */
import { GCProfiler, getHeapStatistics } from "node:v8";

export async function allocatedBytes(work: () => Promise<void> | void): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  await work();
  const after = getHeapStatistics().used_heap_size;
  const data = profiler.stop();
  let freed = 0;
  for (const gc of data?.statistics ?? []) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return after - before + freed;
}
