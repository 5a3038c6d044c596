/**
 * YAML for the deployment tests, parsed by Python's PyYAML (Debian's python3-yaml) rather than a
 * hand-written parser: the files are Compose and Prometheus YAML, and a real parser is the check.
 */
import { spawnSync } from "node:child_process";

const PROBE = spawnSync("python3", ["-c", "import yaml"], { encoding: "utf8" });
export const yamlAvailable = PROBE.status === 0;
export const yamlSkip = yamlAvailable ? false : "SKIPPED LOUDLY: python3 with PyYAML is missing (apt-get install python3-yaml)";
if (!yamlAvailable) console.warn("\n!!! python3 + PyYAML missing: the YAML deployment checks are SKIPPED (apt-get install python3-yaml)\n");

export function parseYamlFile(path: string): any {
  const run = spawnSync("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`YAML parse of ${path} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}
