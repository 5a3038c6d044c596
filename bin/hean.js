#!/usr/bin/env node
// The `hean` command. Plain JS so that it can tell a user on an old Node what to do instead of
// failing on TypeScript syntax: hean runs its .ts sources directly through Node 24's type stripping.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 24 && !(major === 23 && minor >= 6)) {
  process.stderr.write(
    `hean needs Node.js 24 (this is ${process.version}).\n` +
      "Run it through npm, which uses the Node 24 that `npm install` put in node_modules/.bin:\n" +
      "  npm install && npm start        (or: npx hean run ...)\n",
  );
  process.exit(1);
}
// Node's compile cache: the stripped TypeScript and its bytecode from earlier starts are reused, so
// a start does not strip and compile the whole source tree again (~0.1-0.2 s of every command).
// Entries are checked against the source (an edited file is compiled afresh) and a cache that
// cannot be used is skipped, never an error. NODE_COMPILE_CACHE=dir moves it (default: under the
// system's temp directory); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import("node:module");
enableCompileCache();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
