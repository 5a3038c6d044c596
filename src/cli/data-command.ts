/**
 * `hean data download`: fetch the venues' public historical files (see src/research/data).
 */
import { HeanError } from "../core/errors.ts";
import { DOWNLOAD_KINDS, DOWNLOAD_VENUES, type DownloadVenue, type FileOutcome, type Progress, defaultBaseUrl, download, planFiles } from "../research/data/download.ts";
import { parseFlags, secondsFlag } from "./flags.ts";
import { unknownSubcommand } from "./help.ts";

const FLAGS = {
  venue: { type: "string" },
  symbols: { type: "string" },
  kind: { type: "string" },
  interval: { type: "string", default: "1m" },
  from: { type: "string" },
  to: { type: "string" },
  dir: { type: "string", default: "data" },
  "base-url": { type: "string" },
  timeout: { type: "string" },
} as const;

export const DATA_USAGE = `hean data download --venue binance|bybit --symbols A,B --kind KIND --from YYYY-MM-DD --to YYYY-MM-DD [--dir data] [--interval 1m] [--base-url URL] [--timeout SECONDS]
  kinds: binance ${DOWNLOAD_KINDS.binance.join("|")}; bybit ${DOWNLOAD_KINDS.bybit.join("|")}
  Files land in DIR/VENUE/KIND/SYMBOL/, verified against the venue's published SHA-256 where there is one,
  and a broken download resumes where it stopped when run again. Bybit's klines and funding rates
  come from its REST API, written in Binance's layouts (klines a day a file, --interval 1m…1d;
  funding a month a file); a day or month not over yet is skipped, saying when it ends. A file
  fails when its server does not answer, or stops sending, for --timeout seconds (default 30);
  what arrived is kept to resume from.
`;

export async function dataCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "download") unknownSubcommand("data", sub);
  const { values } = parseFlags(rest, FLAGS);
  const venue = values.venue;
  if (venue === undefined || !(DOWNLOAD_VENUES as readonly string[]).includes(venue)) {
    throw new HeanError("CLI_USAGE", `--venue must be one of ${DOWNLOAD_VENUES.join(", ")}${venue === undefined ? "" : `, got ${JSON.stringify(venue)}`}`, { venue });
  }
  const required = (name: "symbols" | "kind" | "from" | "to"): string => {
    const v = values[name];
    if (v === undefined || v === "") throw new HeanError("CLI_USAGE", `--${name} is required\n${DATA_USAGE}`, { flag: name });
    return v;
  };
  const symbols = required("symbols").split(",").map((s) => s.trim().toUpperCase());
  const bad = symbols.find((s) => !/^[A-Z0-9]{2,30}$/.test(s));
  if (bad !== undefined) throw new HeanError("CLI_USAGE", `--symbols: ${JSON.stringify(bad)} is not a symbol`, { symbol: bad });
  const baseUrl = values["base-url"];
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) throw new HeanError("CLI_USAGE", `--base-url must be an http:// or https:// URL, got ${JSON.stringify(baseUrl)}`, { baseUrl });
  if (!/^\d+[smhdwM]$/.test(values.interval)) throw new HeanError("CLI_USAGE", `--interval must look like 1m, 5m, 1h, 1d; got ${JSON.stringify(values.interval)}`, {});
  const timeoutMs = secondsFlag("timeout", values.timeout);
  if (timeoutMs === 0) throw new HeanError("CLI_USAGE", "--timeout must be more than 0 seconds", { timeout: values.timeout });
  const files = planFiles({
    venue: venue as DownloadVenue,
    symbols,
    kind: required("kind"),
    interval: values.interval,
    from: required("from"),
    to: required("to"),
    dir: values.dir,
    baseUrl: baseUrl ?? defaultBaseUrl(venue as DownloadVenue, required("kind")),
  });
  const outcomes = await download(files, progressOn(process.stderr), { timeoutMs });
  const count = (kind: FileOutcome["kind"]): number => outcomes.filter((o) => o.kind === kind).length;
  const incomplete = count("incomplete");
  process.stdout.write(`${count("downloaded")} downloaded, ${count("present")} already present, ${count("missing")} missing at the venue, ${count("failed")} failed${incomplete > 0 ? `, ${incomplete} not complete yet` : ""}\n`);
  // A period not over yet is no fault: asking up to today is how a daily job keeps up.
  return count("failed") + count("missing") === 0 ? 0 : 1;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** A progress bar on a terminal; elsewhere a plain line every few seconds and one per file. */
function progressOn(out: NodeJS.WriteStream): Progress {
  const started = performance.now();
  let lastDraw = 0;
  const tty = out.isTTY === true;
  return {
    update({ filesDone, filesTotal, bytes, current }) {
      const now = performance.now();
      if (now - lastDraw < (tty ? 100 : 5000)) return;
      lastDraw = now;
      const rate = bytes / Math.max(0.001, (now - started) / 1000);
      const line = `${filesDone}/${filesTotal} files, ${mb(bytes)} at ${mb(rate)}/s, ${current}`;
      if (!tty) return void out.write(`${line}\n`);
      const width = 24;
      const filled = Math.round((filesDone / Math.max(1, filesTotal)) * width);
      out.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${line}`.slice(0, (out.columns ?? 120) - 1).padEnd((out.columns ?? 120) - 1));
    },
    done(o) {
      const what =
        o.kind === "downloaded"
          ? `downloaded${o.resumedFrom > 0 ? ` (resumed at ${mb(o.resumedFrom)})` : ""}${o.verified ? ", checksum ok" : ""}${o.checksumMissing === true ? ", no .CHECKSUM at the venue: not verified" : ""}`
          : o.kind === "present"
            ? `already present${o.verified ? ", checksum ok" : ""}${o.checksumMissing === true ? ", no .CHECKSUM at the venue: not re-verified" : ""}`
            : o.kind === "missing"
              ? "missing at the venue"
              : o.kind === "incomplete"
                ? `not complete yet: ends at ${new Date(o.endsAt).toISOString()}; run again after that`
                : `FAILED: ${o.reason}`;
      out.write(`${tty ? "\r" : ""}${o.file.path}: ${what}\n`);
      lastDraw = 0;
    },
  };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
