/**
 * `node --import ./load-recorder.ts …`: records every module the process loads and, at exit,
 * prints the ones from the Bybit live adapter (`src/venues/bybit/`) on stderr as
 * `BYBIT-MODULES [...]`. The safety test uses it to prove paper mode never loads them.
 */
import { registerHooks } from "node:module";

const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    if (url.includes("/venues/bybit/")) loaded.push(url.slice(url.indexOf("/venues/bybit/")));
    return nextLoad(url, context);
  },
});
process.on("exit", () => {
  process.stderr.write(`BYBIT-MODULES ${JSON.stringify(loaded)}\n`);
});
