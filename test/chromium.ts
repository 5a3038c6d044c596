/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium through playwright-core, on
 * a throw-away profile. When it is missing the tests skip, loudly (`.ci/run` installs it).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** The skip reason for `what` when Chromium is missing (said on stderr too), else false. */
export function chromiumMissing(what: string): string | false {
  if (existsSync(CHROMIUM)) return false;
  const why = `SKIPPED LOUDLY: ${CHROMIUM} is missing, so ${what} does not run (apt-get install chromium; .ci/run installs it)`;
  console.warn(`\n!!! ${why}\n`);
  return why;
}

export interface Browser {
  readonly context: BrowserContext;
  /** The profile's first tab. */
  readonly page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** The dashboards' tests pin a viewport (screenshots, chart widths); the others take the default. */
export async function launchChromium(viewport?: { readonly width: number; readonly height: number }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "hean-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...(viewport === undefined ? {} : { viewport, deviceScaleFactor: 1 }),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
