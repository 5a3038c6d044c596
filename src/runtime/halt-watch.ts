/**
 * `--exit-on-halt`: a paper run or a script wants to end when the engine halts (HARD_STOP or the
 * kill switch), not sit halted until someone notices. The halt is reported once the kill switch
 * has the book flat (so the report shows where the halt left the account), or after `graceMs`
 * if flattening cannot finish (venue down): a stuck flatten must not keep a script waiting.
 */
import type { TimerHandle } from "../core/clock.ts";
import type { Runtime } from "./runtime.ts";

export interface HaltWatch {
  cancel(): void;
}

export function watchForHalt(runtime: Runtime, graceMs: number, onHalt: (reason: string) => void): HaltWatch {
  const state = runtime.engine.state;
  let fired = false;
  let grace: TimerHandle | undefined;
  const reason = (): string => (state.killSwitch.active ? `kill switch (${state.killSwitch.reason ?? "unknown"})` : `risk ${state.risk.state}`);
  const fire = (): void => {
    if (fired) return;
    fired = true;
    grace?.cancel();
    unsubscribe();
    onHalt(reason());
  };
  const check = (): void => {
    if (fired || state.tradingState() !== "halted") return;
    if (!state.killSwitch.active || state.killSwitch.flatAt !== null) return fire();
    grace ??= runtime.clock.setTimeout(fire, graceMs);
  };
  const unsubscribe = runtime.outbox.subscribe("exit-on-halt", check, ["risk.state", "risk.kill-switch"]);
  // A journal may bring the engine back already halted.
  queueMicrotask(check);
  return {
    cancel() {
      fired = true;
      grace?.cancel();
      unsubscribe();
    },
  };
}
