/**
 * What `--data` names, as files: a directory stands for every file under it (a `hean data
 * download` tree, say), in path order, so the same directory always gives the same list. The
 * same data twice is refused rather than replayed twice.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { HeanError } from "../../core/errors.ts";

/** A download still under way (`.part`) or hidden files are not data. */
const notData = (name: string): boolean => name.startsWith(".") || name.endsWith(".part");

export function dataFiles(paths: readonly string[]): string[] {
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
      .sort();
    if (under.length === 0) throw new HeanError("CLI_USAGE", `--data ${path}: a directory with no data files in it`, { file: path });
    return under;
  });
  refuseTwice(files);
  return files;
}

/**
 * The same file twice, or a day's file beside its unpacked copy (`X.zip` and `X.csv`): replayed
 * both, every trade would print twice.
 */
function refuseTwice(files: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const key = resolve(file).replace(/(\.csv)?(\.gz|\.zip)?$/, "");
    const first = seen.get(key);
    if (first !== undefined) {
      const same = resolve(first) === resolve(file);
      throw new HeanError("CLI_USAGE", same ? `--data names ${file} twice` : `--data ${first} and ${file} hold the same data (one is the other packed): give one of them`, { files: [first, file] });
    }
    seen.set(key, file);
  }
}
