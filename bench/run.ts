/**
 * `npm run bench`: runs every `bench/*.bench.ts` module's exported `run…Bench()` in turn, prints one
 * table and writes `bench/results.json` (an array of BenchResult).
 *
 *   node bench/run.ts              all modules; results.json is replaced
 *   node bench/run.ts --only bus   the same as `node bench/run.ts bus` (npm run bench -- --only bus)
 *   node bench/run.ts bus journal  only modules whose file name contains "bus" or "journal";
 *                                  their figures replace those of the same name in results.json, the rest are kept
 *
 * A bench that throws is reported and the others still run; the exit code is then 1.
 */
import { readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchResult } from "./result.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_FILE = join(BENCH_DIR, "results.json");
const BENCH_FUNCTION = /^run\w*Bench$/;

interface Failure {
  readonly bench: string;
  readonly error: string;
}

async function benchModules(filters: readonly string[]): Promise<string[]> {
  const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith(".bench.ts")).sort();
  return filters.length === 0 ? files : files.filter((f) => filters.some((w) => f.includes(w)));
}

function isBenchResult(x: unknown): x is BenchResult {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r["name"] === "string" &&
    typeof r["unit"] === "string" &&
    typeof r["value"] === "number" &&
    typeof r["baselineName"] === "string" &&
    typeof r["baselineValue"] === "number" &&
    typeof r["ratio"] === "number"
  );
}

/** Only the six documented fields, in a stable order. */
const normalise = (r: BenchResult): BenchResult => ({
  name: r.name,
  unit: r.unit,
  value: r.value,
  baselineName: r.baselineName,
  baselineValue: r.baselineValue,
  ratio: r.ratio,
});

async function runModule(file: string, results: BenchResult[], failures: Failure[]): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as Record<string, unknown>;
  } catch (e) {
    failures.push({ bench: file, error: describe(e) });
    return;
  }
  const benches = Object.entries(mod).filter(([name, fn]) => BENCH_FUNCTION.test(name) && typeof fn === "function");
  if (benches.length === 0) failures.push({ bench: file, error: "exports no run…Bench() function" });
  for (const [name, fn] of benches) {
    const label = `${file} ${name}()`;
    process.stderr.write(`running ${label} …\n`);
    const started = performance.now();
    try {
      const out: unknown = await (fn as () => unknown)();
      const list = Array.isArray(out) ? out : [out];
      const bad = list.filter((r) => !isBenchResult(r));
      if (bad.length > 0) throw new Error(`returned ${bad.length} value(s) that are not BenchResult: ${JSON.stringify(bad[0])}`);
      results.push(...(list as BenchResult[]).map(normalise));
      process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (e) {
      failures.push({ bench: label, error: describe(e) });
      process.stderr.write(`  FAILED: ${describe(e)}\n`);
    }
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Three significant figures, with thousands separators for big numbers. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString("en-US");
  if (abs === 0) return "0";
  return Number(x.toPrecision(3)).toString();
}

export function formatTable(results: readonly BenchResult[]): string {
  const header = ["name", "value", "unit", "baseline", "baseline value", "ratio"];
  const rows = results.map((r) => [r.name, num(r.value), r.unit, r.baselineName, num(r.baselineValue), r.ratio.toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([1, 4, 5]);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function previousResults(): Promise<BenchResult[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(RESULTS_FILE, "utf8"));
    return Array.isArray(parsed) ? parsed.filter(isBenchResult) : [];
  } catch {
    return [];
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write("usage: node bench/run.ts [--only] [name-filter …]   (npm run bench -- --only latency)\n");
    return 0;
  }
  // `--only NAME` (as in `npm run bench -- --only latency`) is the same as a bare NAME filter.
  const filters = argv.filter((a, i) => !a.startsWith("-") || argv[i - 1] === "--only").filter((a) => a !== "--only");
  const modules = await benchModules(filters);
  if (modules.length === 0) {
    process.stderr.write(`no bench/*.bench.ts module matches ${JSON.stringify(filters)}\n`);
    return 2;
  }
  const results: BenchResult[] = [];
  const failures: Failure[] = [];
  for (const file of modules) await runModule(file, results, failures);

  if (results.length > 0) process.stdout.write(formatTable(results) + "\n");
  let toWrite = results;
  if (filters.length > 0) {
    const fresh = new Set(results.map((r) => r.name));
    toWrite = [...(await previousResults()).filter((r) => !fresh.has(r.name)), ...results];
  }
  await writeFile(RESULTS_FILE, JSON.stringify(toWrite, null, 2) + "\n");
  process.stderr.write(`wrote ${toWrite.length} result(s) to ${RESULTS_FILE}\n`);
  for (const f of failures) process.stderr.write(`\nFAILED ${f.bench}\n${f.error}\n`);
  return failures.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
