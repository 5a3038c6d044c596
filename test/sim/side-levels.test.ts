import assert from "node:assert/strict";
import { test } from "node:test";
import { Prng } from "../../src/venues/sim/market/prng.ts";
import { SideLevels } from "../../src/venues/sim/market/side-levels.ts";

/** What `setLevels` must leave, written level by level: the touch, then `deepLots` behind it. */
function expected(touch: number, touchLots: number, deepLots: number, levels: number, depth: number): { best: number; sizes: number[] } {
  if (touchLots < 1) return { best: touch, sizes: [] };
  const n = Math.min(Math.max(1, levels), depth);
  const sizes = [touchLots];
  while (sizes.length < n && deepLots >= 1) sizes.push(deepLots);
  return { best: touch, sizes };
}

const levelsOf = (side: SideLevels): number[] => Array.from({ length: side.count }, (_, i) => side.sizeAtLevel(i));

test("setLevels leaves exactly the touch and the assumed depth, whatever came before (moves near and far, other changes between)", () => {
  for (const [dir, depth] of [[1, 20], [-1, 20], [1, 16], [-1, 5], [1, 1]] as const) {
    const side = new SideLevels(dir, depth);
    const rng = new Prng(7);
    let touch = 5_000;
    let deep = 40;
    for (let step = 0; step < 20_000; step++) {
      const u = rng.next();
      // Mostly a tick or two, sometimes far (past the ring's size), sometimes a new assumed depth.
      touch += u < 0.9 ? Math.round((rng.next() - 0.5) * 4) : Math.round((rng.next() - 0.5) * 200);
      touch = Math.max(depth + 1, touch);
      if (rng.next() < 0.05) deep = Math.floor(rng.next() * 4) * 20;
      const touchLots = rng.next() < 0.03 ? 0 : 1 + Math.floor(rng.next() * 60);
      const levels = rng.next() < 0.1 ? 1 + Math.floor(rng.next() * depth) : depth;
      side.setLevels(touch, touchLots, deep, levels);
      const want = expected(touch, touchLots, deep, levels, depth);
      assert.equal(side.best, want.best, `step ${step}`);
      assert.deepEqual(levelsOf(side), want.sizes, `step ${step}: dir ${dir}, depth ${depth}`);
      // The matching engine and the synthetic market change sides between replays too.
      const other = rng.next();
      if (other < 0.05) side.takeAtTouch(1 + Math.floor(rng.next() * 80));
      else if (other < 0.07) side.moveTouch(touch + Math.round((rng.next() - 0.5) * 6), rng, () => {});
      else if (other < 0.08) side.perturb(rng);
      else if (other < 0.09) side.regenerate(touch, rng);
    }
  }
});
