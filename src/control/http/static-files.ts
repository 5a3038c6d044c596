/**
 * The dashboard's files, loaded once at start-up into memory and served from a fixed table:
 * no path from the URL ever reaches the file system, so there is nothing to traverse.
 * lightweight-charts comes from node_modules (its standalone ES module build, which has its one
 * dependency bundled), so there is no build step and no CDN.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * Scripts, styles, data and the stream only from this origin; nothing inline, no framing. The one
 * exception is the <style> element lightweight-charts injects for its TradingView attribution
 * logo, allowed by the hash of its exact text (read from the library, so an upgrade stays right).
 */
export function dashboardCsp(chartsModule: string): string {
  const styleHashes = [...chartsModule.matchAll(/innerText="(a#tv-attr-logo\{[^"]*)"/g)].map(
    (m) => `'sha256-${createHash("sha256").update(m[1]!, "utf8").digest("base64")}'`,
  );
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' ${styleHashes.join(" ")}`.trim(),
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const VENDOR_CHARTS_PATH = "/vendor/lightweight-charts.mjs";

function chartsModulePath(): string {
  const main = fileURLToPath(import.meta.resolve("lightweight-charts"));
  return join(dirname(main), "lightweight-charts.standalone.production.mjs");
}

export interface DashboardFiles {
  readonly files: ReadonlyMap<string, StaticFile>;
  readonly csp: string;
}

export function loadDashboardFiles(): DashboardFiles {
  const dir = fileURLToPath(new URL("../dashboard/", import.meta.url));
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    files.set(`/${name}`, { body: readFileSync(join(dir, name)), contentType });
  }
  const index = files.get("/index.html");
  if (index !== undefined) files.set("/", index);
  const charts = readFileSync(chartsModulePath());
  files.set(VENDOR_CHARTS_PATH, { body: charts, contentType: CONTENT_TYPES[".mjs"]! });
  return { files, csp: dashboardCsp(charts.toString("utf8")) };
}
