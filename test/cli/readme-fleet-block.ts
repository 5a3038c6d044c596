/** The README's "Run a fleet" block as command lines (run by readme-fleet.test.ts, skipped by readme-examples.test.ts). */

export interface Line {
  readonly words: readonly string[];
  readonly background: boolean;
  readonly text: string;
}

/** Splits a shell line into words: double quotes group, nothing else is special here. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The ```sh block that shows `hean fleet`, one entry per command line, comments stripped. */
export function fleetBlock(markdown: string): Line[] {
  const block = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => /^hean fleet /m.test(b));
  if (block === undefined) throw new Error("the README has no ```sh block with `hean fleet`");
  return block
    .split("\n")
    .map((raw) => raw.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((text) => {
      const background = text.endsWith("&");
      return { text, background, words: words(background ? text.slice(0, -1) : text) };
    });
}
