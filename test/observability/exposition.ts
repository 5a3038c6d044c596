/** Reads Prometheus text exposition into `series → value` for assertions. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const value = line.slice(space + 1);
    out.set(line.slice(0, space), value === "Nan" || value === "NaN" ? Number.NaN : Number(value));
  }
  return out;
}

/** Metric family names declared by `# TYPE` lines. */
export function metricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m === null) continue;
    names.add(m[1]!);
    if (m[2] === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m[1]! + s);
  }
  return names;
}

export function value(series: Map<string, number>, key: string): number {
  const v = series.get(key);
  if (v === undefined) throw new Error(`no series ${key}`);
  return v;
}
