/**
 * A backtest's journal: a kept one (`journalPath`) is a journal like any run's, all of its records
 * committed and the state snapshotted at the stop, so that tools and replays start from it. (A
 * temporary one is removed when the run ends: it takes no snapshots, which only serve the next boot.)
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { SqliteJournal } from "../../src/journal/sqlite-journal.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";

const T0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), "hean-bt-journal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function aggTradesFile(): string {
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-01.csv");
  const lines: string[] = [];
  let cents = 200_000;
  for (let i = 0; i < 3_000; i++) {
    cents += i % 7 < 4 ? 1 : -1;
    lines.push(`${i + 1},${(cents / 100).toFixed(2)},0.250,${i},${i},${T0 + i * 20},${i % 3 === 0}`);
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
