/**
 * Static checks of deploy/docker-compose.yml (Docker does not run on the CI machines): every
 * service is limited in a way standalone Compose enforces, has a health check, and gets its
 * secrets as files, never as values in the environment.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseYamlFile, yamlSkip } from "./yaml.ts";

const DEPLOY = join(import.meta.dirname, "../../deploy");
const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|PASSPHRASE|CREDENTIAL)/i;

/** Compose accepts environment as a map or as a list of KEY=VALUE. */
function envOf(service: any): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? "")]));
  return Object.fromEntries(env.map((entry: string) => [entry.split("=")[0], entry.slice(entry.indexOf("=") + 1)]));
}

function bytes(text: string | number): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(String(text).trim());
  if (m === null) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
}

describe("deploy/docker-compose.yml", { skip: yamlSkip }, () => {
  const compose = yamlSkip === false ? parseYamlFile(join(DEPLOY, "docker-compose.yml")) : {};
  const services: Record<string, any> = compose.services ?? {};

  test("has the engines, the fleet, Redis, Prometheus and Grafana", () => {
    assert.deepEqual(Object.keys(services).sort(), ["engine", "engine-2", "fleet", "grafana", "prometheus", "redis"]);
  });

  test("the engines and the fleet share Redis; each engine has its own id and journal volume", () => {
    for (const name of ["engine", "engine-2", "fleet"]) {
      assert.equal(envOf(services[name])["HEAN_REDIS_URL"], "redis://redis:6379", name);
      assert.equal(services[name].depends_on.redis.condition, "service_healthy", name);
      assert.ok(services[name].networks.includes("backend"), name);
    }
    const ids = ["engine", "engine-2"].map((n) => services[n].command[services[n].command.indexOf("--engine-id") + 1]);
    assert.deepEqual(ids, ["engine-1", "engine-2"]);
    assert.notEqual(services["engine"].volumes[0].split(":")[0], services["engine-2"].volumes[0].split(":")[0]);
    assert.equal(services["fleet"].command[0], "fleet");
  });

  test("every service has memory and CPU limits that standalone Compose enforces", () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.mem_limit !== undefined, `${name}: mem_limit`);
      assert.ok(bytes(s.mem_limit) >= 64 * 1024 ** 2 && bytes(s.mem_limit) <= 8 * 1024 ** 3, `${name}: mem_limit sane`);
      assert.ok(typeof s.cpus === "number" || typeof s.cpus === "string", `${name}: cpus`);
      assert.ok(Number(s.cpus) > 0 && Number(s.cpus) <= 8, `${name}: cpus sane`);
      assert.ok(Number.isInteger(s.pids_limit), `${name}: pids_limit`);
      // The Swarm block, if present, must agree with what standalone Compose enforces.
      const swarm = s.deploy?.resources?.limits;
      if (swarm !== undefined) {
        assert.equal(bytes(swarm.memory), bytes(s.mem_limit), `${name}: deploy memory matches mem_limit`);
        assert.equal(Number(swarm.cpus), Number(s.cpus), `${name}: deploy cpus matches cpus`);
      }
    }
  });

  test("every service has a health check; the engine's calls /health", () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(Array.isArray(s.healthcheck?.test) && s.healthcheck.test.length > 1, `${name}: healthcheck.test`);
      assert.ok(s.healthcheck.interval !== undefined && s.healthcheck.retries > 0, `${name}: interval and retries`);
    }
    assert.match(services["engine"].healthcheck.test.join(" "), /127\.0\.0\.1:8080\/health/);
    assert.equal(services["prometheus"].depends_on.engine.condition, "service_started");
    assert.equal(services["engine"].depends_on.redis.condition, "service_healthy");
  });

  test("secrets are files, read through _FILE variables; no secret value in any environment", () => {
    const topSecrets: Record<string, any> = compose.secrets ?? {};
    for (const [name, def] of Object.entries(topSecrets)) {
      assert.ok(typeof def.file === "string" && def.file.startsWith("./secrets/"), `secret ${name} is a file under ./secrets`);
      assert.equal(def.environment, undefined, `secret ${name} must not come from the environment`);
    }
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(envOf(s))) {
        if (!SECRET_NAME.test(key)) continue;
        assert.match(key, /_FILE$/, `${name}: ${key} looks like a secret: pass it as a file with ${key}_FILE`);
        const secret = /^\/run\/secrets\/(\w+)$/.exec(value);
        assert.ok(secret !== null, `${name}: ${key} must point into /run/secrets`);
        assert.ok((s.secrets ?? []).includes(secret[1]), `${name}: mounts secret ${secret[1]}`);
        assert.ok(secret[1]! in topSecrets, `secret ${secret[1]} is defined`);
      }
      assert.equal(s.env_file, undefined, `${name}: no env_file (secrets would end up in the environment)`);
    }
    const engineEnv = envOf(services["engine"]);
    for (const v of ["HEAN_API_TOKEN_FILE", "HEAN_BYBIT_API_KEY_FILE", "HEAN_BYBIT_API_SECRET_FILE", "HEAN_TELEGRAM_TOKEN_FILE"]) {
      assert.match(engineEnv[v] ?? "", /^\/run\/secrets\//, `engine: ${v}`);
    }
  });

  test("no secret files are committed next to the compose file", () => {
    const files = readdirSync(join(DEPLOY, "secrets")).sort();
    assert.deepEqual(files, [".gitignore", "README.md"]);
    assert.match(readFileSync(join(DEPLOY, "secrets/.gitignore"), "utf8"), /^\*$/m);
  });

  test("Redis keeps an append-only file fsynced on every write, and stays on the internal network", () => {
    const command = services["redis"].command.join(" ");
    assert.match(command, /--appendonly yes/);
    assert.match(command, /--appendfsync always/);
    assert.equal(services["redis"].ports, undefined);
    assert.deepEqual(services["redis"].networks, ["backend"]);
    assert.equal(compose.networks.backend.internal, true);
  });

  test("Prometheus gets its rules, Grafana its provisioning and dashboard, from files that exist", () => {
    for (const name of ["prometheus", "grafana"]) {
      for (const volume of services[name].volumes as string[]) {
        const [source] = volume.split(":");
        if (!source!.startsWith("./")) continue;
        assert.ok(existsSync(join(DEPLOY, source!)), `${name}: ${source} exists`);
      }
    }
    assert.ok((services["prometheus"].volumes as string[]).some((v) => v.startsWith("./prometheus/rules.yml:")));
    assert.ok((services["grafana"].volumes as string[]).some((v) => v.startsWith("./grafana/dashboards:")));
  });

  test("published ports bind the host's loopback only", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of (s.ports ?? []) as string[]) assert.match(String(port), /^127\.0\.0\.1:/, `${name}: ${port}`);
    }
  });

  test("the engine runs hean on a volume, unprivileged, with time to shut down cleanly", () => {
    const engine = services["engine"];
    assert.equal(engine.command[0], "run");
    assert.ok(engine.volumes.some((v: string) => v.endsWith(":/var/lib/hean")));
    assert.equal(engine.read_only, true);
    assert.deepEqual(engine.cap_drop, ["ALL"]);
    assert.ok(engine.stop_grace_period !== undefined);
  });
});
