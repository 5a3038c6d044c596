/**
 * What `--data` names, as files: a directory stands for every file under it (a `hean data
 * download` tree, say), in path order, so the same directory always gives the same list.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { HeanError } from "../../core/errors.ts";

/** A download still under way (`.part`) or hidden files are not data. */
const notData = (name: string): boolean => name.startsWith(".") || name.endsWith(".part");

export function dataFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message;
      throw new HeanError("CLI_USAGE", `--data ${path}: ${why}`, { file: path });
    }
    if (!isDir) return [path];
    const files = readdirSync(path, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !notData(e.name))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    if (files.length === 0) throw new HeanError("CLI_USAGE", `--data ${path}: a directory with no data files in it`, { file: path });
    return files;
  });
}
