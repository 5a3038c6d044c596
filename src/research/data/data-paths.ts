/**
 * What `--data` names, as files: a directory stands for every file under it (a `hean data
 * download` tree, say), in path order, so the same directory always gives the same list; with
 * `--symbols`, every file under it of those symbols (a file whose venue name says another symbol
 * is not read: a download tree holds every symbol fetched). A file named as data hean does not
 * replay (Bybit's spot trades) is refused first, with what to replay instead; the same data twice
 * is refused rather than replayed twice.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { HeanError } from "../../core/errors.ts";
import { venueFileName } from "./formats.ts";
import { refuseUnreplayed } from "./reader.ts";

/** A download still under way (`.part`) or hidden files are not data. */
const notData = (name: string): boolean => name.startsWith(".") || name.endsWith(".part");

/** `symbols`: the ones traded, when given (`--symbols`): a directory's files of other symbols are left out. */
export function dataFiles(paths: readonly string[], symbols?: readonly string[]): string[] {
  const wanted = (file: string): boolean => {
    const named = venueFileName(file)?.symbol;
    return symbols === undefined || named === undefined || symbols.includes(named);
  };
  const files = paths.flatMap((path) => {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message;
      throw new HeanError("CLI_USAGE", `--data ${path}: ${why}`, { file: path });
    }
    if (!isDir) return [path];
    const under = readdirSync(path, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !notData(e.name))
      .map((e) => join(e.parentPath, e.name))
      .filter(wanted)
      .sort();
    if (under.length === 0) {
      const of = symbols === undefined ? "" : ` of ${symbols.join(", ")}`;
      throw new HeanError("CLI_USAGE", `--data ${path}: a directory with no data files${of} in it`, { file: path });
    }
    return under;
  });
  for (const file of files) refuseUnreplayed(file);
  refuseTwice(files);
  return files;
}

/** What a venue's file name says it holds: its layout, symbol and days (inclusive, YYYY-MM-DD). */
interface VenueData {
  /** Files of one family hold the same kind of data: aggTrades and trades are both the trade prints. */
  readonly family: string;
  readonly kind: string;
  readonly symbol: string;
  readonly period: string;
  readonly from: string;
  readonly to: string;
}

function venueData(file: string): VenueData | undefined {
  const name = venueFileName(file);
  if (name?.month === undefined) return undefined;
  const { format, kind, symbol, month, day } = name;
  const venue = format.slice(0, format.indexOf("-"));
  const family = kind === "aggTrades" || kind === "trades" ? `${venue} trades` : `${venue} ${kind}`;
  const dayPart = day === undefined ? undefined : `-${day}`;
  // A monthly file holds every day of its month ("-31" compares after any day of it).
  return { family, kind, symbol, period: month + (dayPart ?? ""), from: month + (dayPart ?? "-01"), to: month + (dayPart ?? "-31") };
}

/**
 * The same venue data twice, replayed both, would print every trade twice: one file named twice,
 * a day beside its unpacked copy (`X.zip` and `X.csv`), in another folder or as a browser's copy
 * (`X (1).zip`), or a venue's trades given as both aggTrades and trades for the same days. Venue
 * files are told apart by what their names say (layout, symbol, days), others by their path.
 */
function refuseTwice(files: readonly string[]): void {
  const seen = new Map<string, string>();
  const venue = new Map<string, { file: string; data: VenueData }[]>();
  for (const file of files) {
    const key = resolve(file).replace(/(\.csv)?(\.gz|\.zip)?$/, "");
    const first = seen.get(key);
    if (first !== undefined) {
      const same = resolve(first) === resolve(file);
      throw new HeanError("CLI_USAGE", same ? `--data names ${file} twice` : `--data ${first} and ${file} hold the same data (one is the other packed): give one of them`, { files: [first, file] });
    }
    seen.set(key, file);
    const data = venueData(file);
    if (data === undefined) continue;
    const group = `${data.family} ${data.symbol}`;
    let earlier = venue.get(group);
    if (earlier === undefined) venue.set(group, (earlier = []));
    const clash = earlier.find((e) => e.data.from <= data.to && data.from <= e.data.to);
    if (clash !== undefined) {
      const a = clash.data;
      const why =
        a.kind !== data.kind
          ? `${a.kind} and ${data.kind} are both ${data.symbol}'s trades, for ${a.period} and ${data.period}`
          : a.period !== data.period
            ? `${data.symbol} ${data.kind} of ${a.period} and of ${data.period} overlap`
            : `${data.symbol} ${data.kind} of ${data.period} both, as a copy, in another folder or packed otherwise`;
      throw new HeanError("CLI_USAGE", `--data ${clash.file} and ${file} hold the same data (${why}): give one of them`, { files: [clash.file, file] });
    }
    earlier.push({ file, data });
  }
}
