/**
 * A backtest's journal: a kept one (`journalPath`) is a journal like any run's, all of its records
 * committed and the state snapshotted at the stop, so that tools and replays start from it. (A
 * temporary one is removed when the run ends: it takes no snapshots, which only serve the next boot.)
 * A start that is refused leaves no journal behind; a data error part-way through keeps it and says so.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";
import type { Strategy } from "../../src/strategies/strategy.ts";
import { hean } from "../cli/cli-helpers.ts";

const T0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), "hean-bt-journal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 3,000 trades; `backFrom`: from that row on, time goes back an hour (a data error part-way through). */
function aggTradesFile(backFrom = Infinity): string {
  const file = join(dir, Number.isFinite(backFrom) ? "back/ETHUSDT-aggTrades-2025-01-01.csv" : "ETHUSDT-aggTrades-2025-01-01.csv");
  mkdirSync(join(dir, "back"), { recursive: true });
  const lines: string[] = [];
  let cents = 200_000;
  for (let i = 0; i < 3_000; i++) {
    cents += i % 7 < 4 ? 1 : -1;
    lines.push(`${i + 1},${(cents / 100).toFixed(2)},0.250,${i},${i},${T0 + i * 20 - (i >= backFrom ? 3_600_000 : 0)},${i % 3 === 0}`);
  }
  writeFileSync(file, `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n${lines.join("\n")}\n`);
  return file;
}

test("a kept backtest journal holds every record the report counts and a snapshot at its last one", async () => {
  const journalPath = join(dir, "kept.db");
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "strategy.name=impulse"] });
  const { report } = await runBacktest({ files: [aggTradesFile()], config, journalPath });
  const journal = SqliteJournal.open(journalPath, { writer: "inline" });
  try {
    let records = 0;
    for (const _ of journal.read()) records++;
    assert.equal(records, report.journal.events);
    assert.equal(journal.durableSeq(), report.journal.events);
    const snapshot = journal.latestSnapshot();
    assert.ok(snapshot !== undefined, "the stop snapshot is there");
    assert.equal(snapshot.seq, report.journal.events);
  } finally {
    journal.close();
  }
});

/** The files of a journal at `path` (the database and every side file) that exist. */
const journalFilesAt = (path: string): string[] => readdirSync(dir).filter((f) => f.startsWith(path.slice(dir.length + 1)));

test("a backtest refused at the start (a strategy file that does not load) leaves no journal: the corrected command runs", async () => {
  const journalPath = join(dir, "refused.db");
  const strategyFile = join(dir, "broken.ts");
  writeFileSync(strategyFile, "export default { name: 'broken', create( {\n");
  const data = aggTradesFile();
  const refused = hean(["backtest", "--data", data, "--symbols", "ETHUSDT", "--strategy-file", strategyFile, "--journal", journalPath, "--quiet"]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /STRATEGY_INVALID/);
  assert.deepEqual(journalFilesAt(journalPath), []);
  copyFileSync(join(import.meta.dirname, "../../examples/strategies/mean-reversion.ts"), strategyFile);
  const corrected = hean(["backtest", "--data", data, "--symbols", "ETHUSDT", "--strategy-file", strategyFile, "--journal", journalPath, "--quiet"]);
  assert.equal(corrected.status, 0, corrected.stderr);
  assert.ok(existsSync(journalPath));
});

test("a start that fails once the journal is open removes what it created, never a file that was there before", async () => {
  const journalPath = join(dir, "failed-start.db");
  // A lock file outlives its journal (it belongs to the path): this one was there before the run.
  writeFileSync(`${journalPath}.lock`, "");
  const failing: Strategy = {
    get id(): never {
      throw new Error("a strategy that cannot be placed");
    },
    onBook: () => undefined,
  };
  await assert.rejects(runBacktest({ files: [aggTradesFile()], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), journalPath, strategies: [failing] }), /cannot be placed/);
  assert.deepEqual(journalFilesAt(journalPath), ["failed-start.db.lock"]);
});

test("a data error part-way through keeps the journal of what ran, and the error says so", async () => {
  const journalPath = join(dir, "data-error.db");
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "strategy.name=impulse"] });
  await assert.rejects(runBacktest({ files: [aggTradesFile(2_900)], config, journalPath, progressEvery: 1 }), (e: unknown) => {
    assert.ok(isHeanError(e, "DATA_OUT_OF_ORDER"), String(e));
    assert.match(e.message, /time goes back .*--journal .*data-error\.db keeps what it did until then/);
    return true;
  });
  const journal = SqliteJournal.open(journalPath, { writer: "inline" });
  try {
    assert.ok(journal.durableSeq() > 0, "the journal holds the run until the error");
  } finally {
    journal.close();
  }
});
