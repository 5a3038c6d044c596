/**
 * The dashboard's time-axis labels (src/control/dashboard/format.js, plain browser JS that Node
 * imports as is): each tick type reads what changed at it, in UTC. The old chart hid seconds, so
 * every tick within a minute read the same "09:05".
 */
import assert from "node:assert/strict";
import { test } from "node:test";

const format = (await import(new URL("../../src/control/dashboard/format.js", import.meta.url).href)) as {
  axisLabel(seconds: number, type: number): string;
  crosshairTime(seconds: number): string;
};

const at = (iso: string): number => Date.parse(iso) / 1000;

test("axis labels by tick type: year, month, day, minute, second (UTC)", () => {
  assert.equal(format.axisLabel(at("2026-01-01T00:00:00Z"), 0), "2026");
  assert.equal(format.axisLabel(at("2026-11-01T00:00:00Z"), 1), "Nov");
  assert.equal(format.axisLabel(at("2026-11-21T00:00:00Z"), 2), "21 Nov");
  assert.equal(format.axisLabel(at("2026-11-21T09:05:00Z"), 3), "09:05");
  assert.equal(format.axisLabel(at("2026-11-21T09:05:30Z"), 4), "09:05:30");
  assert.equal(format.crosshairTime(at("2026-11-21T09:05:30Z")), "21 Nov 09:05:30");
});

test("ticks a few seconds apart read differently; so do days of a week", () => {
  const seconds = [0, 10, 20, 30, 40, 50].map((s) => format.axisLabel(at("2026-11-21T09:05:00Z") + s, 4));
  assert.equal(new Set(seconds).size, seconds.length, seconds.join(" "));
  const days = [0, 1, 2, 3, 4, 5, 6].map((d) => format.axisLabel(at("2026-11-21T00:00:00Z") + d * 86_400, 2));
  assert.equal(new Set(days).size, days.length, days.join(" "));
  // A late-evening time is not shifted by the machine's time zone.
  assert.equal(format.axisLabel(at("2026-11-21T23:59:59Z"), 4), "23:59:59");
});
