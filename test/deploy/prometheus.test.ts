/**
 * The alert rules and the Grafana dashboard against the real tools and the real metrics:
 * `promtool check config`, `promtool check rules`, `promtool test rules`, and a check that every
 * hean_* metric the rules and the dashboard use is one the engine actually exports.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import { createMetrics } from "../../src/control/metrics/metrics.ts";
import { FakeEngineView } from "../control/fake-view.ts";
import { metricNames } from "../observability/exposition.ts";
import { parseYamlFile, yamlSkip } from "./yaml.ts";

const PROMTOOL = "/usr/bin/promtool";
const PROM_DIR = join(import.meta.dirname, "../../deploy/prometheus");
const GRAFANA_DIR = join(import.meta.dirname, "../../deploy/grafana");
const promtoolSkip = existsSync(PROMTOOL) ? false : `SKIPPED LOUDLY: ${PROMTOOL} is missing (apt-get install prometheus)`;
if (promtoolSkip !== false) console.warn(`\n!!! ${PROMTOOL} is missing: the alert-rule checks are SKIPPED (apt-get install prometheus)\n`);

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, args, { cwd: PROM_DIR, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Every metric family the engine exports, with the view doing something in every area. */
async function exportedNames(): Promise<Set<string>> {
  const view = new FakeEngineView();
  const metrics = createMetrics(view);
  try {
    view.emit({ type: "order.intent", ts: 1, clientOrderId: "o", strategyId: "s", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("1"), price: dec("1"), timeInForce: "GTC", reduceOnly: false, purpose: "entry" });
    view.emit({ type: "order.submitted", ts: 1, clientOrderId: "o", attempt: 1 });
    view.emit({ type: "order.accepted", ts: 2, clientOrderId: "o", venueOrderId: "v" });
    view.emit({ type: "command", ts: 3, commandId: "c", command: "stop", source: "api:x", args: {} });
    view.emit({ type: "market.status", ts: 3, symbol: "BTCUSDT", status: "live", detail: "" });
    return metricNames(await metrics.render());
  } finally {
    metrics.close();
  }
}

const referenced = (text: string): Set<string> => new Set(text.match(/\bhean_[a-z0-9_]+/g) ?? []);

describe("Prometheus configuration and alert rules", { skip: promtoolSkip }, () => {
  test("promtool check config passes (and finds the rules)", () => {
    const r = promtool("check", "config", "prometheus.yml");
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /1 rule files found/);
  });

  test("promtool check rules passes", () => {
    const r = promtool("check", "rules", "rules.yml");
    assert.equal(r.status, 0, r.output);
  });

  test("promtool test rules passes (every alert fires when it should, and only then)", () => {
    const r = promtool("test", "rules", "rules.test.yml");
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/);
  });
});

describe("rules and dashboard use only metrics the engine exports", { skip: yamlSkip }, () => {
  test("each required alert exists with a severity and a summary", () => {
    const rules = parseYamlFile(join(PROM_DIR, "rules.yml"));
    const alerts = rules.groups.flatMap((g: any) => g.rules);
    const names = new Set(alerts.map((r: any) => r.alert));
    for (const required of ["HeanHardStop", "HeanKillSwitchNotFlat", "HeanCircuitBreakerOpen", "HeanPrivateStreamDown", "HeanDrawdownHigh", "HeanBusSaturated", "HeanEventLoopLag", "HeanMissedFills", "HeanStaleMarketData"]) {
      assert.ok(names.has(required), `alert ${required}`);
    }
    for (const r of alerts) {
      assert.match(r.labels.severity, /^(critical|warning)$/, r.alert);
      assert.ok(r.annotations.summary.length > 0, r.alert);
    }
  });

  test("every alert has its own section in docs/RUNBOOK.md", () => {
    const runbook = readFileSync(join(import.meta.dirname, "../../docs/RUNBOOK.md"), "utf8");
    const sections = new Set(runbook.match(/^### (\w+)$/gm)?.map((h) => h.slice(4)) ?? []);
    const alerts = parseYamlFile(join(PROM_DIR, "rules.yml")).groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    assert.ok(alerts.length > 10);
    for (const alert of alerts) assert.ok(sections.has(alert), `docs/RUNBOOK.md has no "### ${alert}" section`);
  });

  test("every hean_* name in the rules and the dashboard is exported", async () => {
    const exported = await exportedNames();
    const rules = readFileSync(join(PROM_DIR, "rules.yml"), "utf8");
    const dashboard = readFileSync(join(GRAFANA_DIR, "dashboards/hean.json"), "utf8");
    for (const [file, text] of [["rules.yml", rules], ["hean.json", dashboard]] as const) {
      const used = referenced(text);
      assert.ok(used.size > 5, `${file} uses hean metrics`);
      for (const name of used) assert.ok(exported.has(name), `${file} uses ${name}, which the engine does not export`);
    }
  });

  test("the Grafana dashboard is valid JSON wired to the provisioned data source", () => {
    const dashboard = JSON.parse(readFileSync(join(GRAFANA_DIR, "dashboards/hean.json"), "utf8"));
    const datasource = parseYamlFile(join(GRAFANA_DIR, "provisioning/datasources/prometheus.yml")).datasources[0];
    const provider = parseYamlFile(join(GRAFANA_DIR, "provisioning/dashboards/hean.yml")).providers[0];
    assert.equal(provider.options.path, "/var/lib/grafana/dashboards");
    assert.equal(datasource.url, "http://prometheus:9090");
    assert.equal(dashboard.uid, "hean-overview");
    const ids = new Set<number>();
    for (const panel of dashboard.panels) {
      assert.ok(!ids.has(panel.id), `panel id ${panel.id} is unique`);
      ids.add(panel.id);
      if (panel.type === "row") continue;
      assert.equal(panel.datasource.uid, datasource.uid, panel.title);
      assert.ok(panel.targets.length > 0 && panel.targets.every((t: any) => t.expr.length > 0), panel.title);
    }
  });
});
