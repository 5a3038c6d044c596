/**
 * `gc()` without `--expose-gc` on the command line (bench/run.ts runs every module in one plain
 * process): heap figures taken after a full collection measure what is retained, not how far the
 * old generation happens to be from its next mark-compact.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function fullGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
