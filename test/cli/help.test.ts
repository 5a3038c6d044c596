/**
 * Issue 16, CLI: `hean --version`, `hean help CMD` and `hean CMD --help` answer on every command
 * (exit 0, nothing started), and a mistyped command, subcommand, flag or value names the valid
 * ones with the nearest first.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { hean, ROOT } from "./cli-helpers.ts";

const version = (JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { version: string }).version;

describe("hean help and version", () => {
  test("--version prints package.json's version", () => {
    for (const flag of ["--version", "-V", "version"]) {
      const r = hean([flag]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `hean ${version}\n`);
    }
  });

  const CASES: readonly (readonly [readonly string[], RegExp])[] = [
    [["run"], /Options of "hean run":[\s\S]*--duration/],
    [["journal"], /hean journal verify[\s\S]*inspect[\s\S]*replay/],
    [["journal", "inspect"], /--type TYPE/],
    [["data"], /hean data download --venue/],
    [["data", "download"], /hean data download --venue/],
    [["sim"], /hean sim bybit[\s\S]*hean sim binance/],
    [["sim", "bybit"], /--api-key/],
    [["sim", "binance"], /--api-key/],
    [["token"], /shorter than\s+16 characters[\s\S]*hean token/],
    [["help"], /hean help/],
    [["backtest"], /hean backtest --data[\s\S]*--walk-forward K/],
    [["ctl"], /hean ctl[\s\S]*--timeout S/],
    [["tail"], /hean tail --engine ID/],
    [["fleet"], /hean fleet[\s\S]*--max-drawdown-pct P/],
    [["context"], /hean context --venue[\s\S]*--once/],
  ];
  for (const [words, expected] of CASES) {
    test(`hean help ${words.join(" ")} and hean ${words.join(" ")} --help`, () => {
      for (const args of [["help", ...words], [...words, "--help"], [...words, "-h"]]) {
        const r = hean(args);
        assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stdout, expected, args.join(" "));
      }
    });
  }

  test("every command the overview lists has its help", () => {
    const overview = hean(["help"]).stdout;
    const commands = [...new Set([...overview.matchAll(/^ {2}hean ([a-z]+)/gm)].map((m) => m[1]!))];
    assert.ok(commands.length >= 10, `commands in the overview: ${commands.join(", ")}`);
    for (const command of commands) {
      const r = hean([command, "--help"]);
      assert.equal(r.status, 0, `hean ${command} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`hean ${command}`), `hean ${command} --help`);
    }
  });

  test("hean backtest --help runs nothing, even with other flags", () => {
    const r = hean(["backtest", "--data", "/nonexistent/file.csv", "--help"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /--touch-notional N/);
    assert.equal(r.stderr, "");
  });

  test("hean run --help starts nothing, even with other flags", () => {
    const r = hean(["run", "--duration", "5", "--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Options of "hean run"/);
    assert.doesNotMatch(r.stderr, /hean started/);
  });
});

describe("a mistyped word names the valid ones", () => {
  const CASES: readonly (readonly [string, readonly string[], readonly string[]])[] = [
    ["command", ["rnu"], ['did you mean "run"?', "valid: run, journal"]],
    ["command (backtest)", ["backtst"], ['did you mean "backtest"?']],
    ["help topic", ["help", "jurnal"], ['did you mean "journal"?']],
    ["journal subcommand", ["journal", "inspct", "--journal", "x.db"], ['did you mean "inspect"?', "verify, inspect, replay"]],
    ["sim venue", ["sim", "bybt"], ['did you mean "bybit"?']],
    ["data subcommand", ["data", "donwload"], ['did you mean "download"?']],
    ["event type", ["journal", "inspect", "--journal", "missing.db", "--type", "order.fill"], ['did you mean "order.filled"?', "order.intent"]],
    ["run flag", ["run", "--durtion", "3"], ['did you mean "--duration"?', "--journal"]],
    ["strategy", ["run", "--strategy", "impuls", "--journal", "/nonexistent-dir/j.db"], ["did you mean impulse?", "impulse, churn, none"]],
    ["scenario", ["run", "--scenario", "trnd", "--journal", "/nonexistent-dir/j.db"], ["did you mean trend?"]],
    ["symbol", ["run", "--symbols", "BTCUSD", "--journal", "/nonexistent-dir/j.db"], ["BTCUSDT"]],
    ["log level", ["run", "--log-level", "inf"], ['did you mean "info"?']],
    ["risk setting", ["run", "--set", "risk.maxLeverge=1", "--journal", "/nonexistent-dir/j.db"], ["did you mean maxLeverage?"]],
    ["config key", ["run", "--set", "telegram.notify.fils=false", "--journal", "/nonexistent-dir/j.db"], ["did you mean telegram.notify.fills?"]],
  ];
  for (const [what, args, expected] of CASES) {
    test(what, () => {
      const r = hean(args);
      assert.equal(r.status, 2, r.stderr);
      for (const e of expected) assert.ok(r.stderr.includes(e), `${JSON.stringify(e)} not in ${r.stderr}`);
    });
  }
});

describe("hean token", () => {
  test("prints a fresh URL-safe token the API accepts; --bytes below the minimum is refused", () => {
    const a = hean(["token"]);
    const b = hean(["token"]);
    assert.equal(a.status, 0, a.stderr);
    const token = a.stdout.trim();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(token, b.stdout.trim());
    const short = hean(["token", "--bytes", "4"]);
    assert.equal(short.status, 2);
    assert.match(short.stderr, /--bytes must be an integer from 12/);
  });
});
