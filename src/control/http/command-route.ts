/**
 * `POST /api/commands`: authenticate, validate, hand to the engine, return its outcome.
 *
 * The engine journals the command with its source and its outcome and is idempotent by
 * `commandId`: a client that lost the response resends the same body and gets the earlier
 * outcome back, marked `duplicate`, with nothing applied twice. The HTTP status is 200 whenever
 * the engine produced an outcome; `ok` says whether the command did what it asked. A known
 * `commandId` with a different body (another type or other arguments) is a client error, 409
 * `COMMAND_CONFLICT`, and nothing is done: answering it as a duplicate would hide that the new
 * command never ran.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { describeError, isHeanError } from "../../core/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import { validateCommand } from "../command-schema.ts";
import type { CommandOutcome, EngineView } from "../engine-view.ts";
import type { Secret } from "../../core/secrets.ts";
import { requireBearer } from "./auth.ts";
import { readJsonObject } from "./request-body.ts";
import { ApiError, remoteAddress, sendJson } from "./respond.ts";

export interface CommandRouteOptions {
  readonly view: EngineView;
  readonly token: Secret | undefined;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
}

export async function handleCommand(req: IncomingMessage, res: ServerResponse, options: CommandRouteOptions): Promise<void> {
  const { view, logger } = options;
  const remote = remoteAddress(req);
  try {
    requireBearer(req, options.token);
  } catch (e) {
    logger.warn({ remote, code: (e as ApiError).code }, "command refused: not authorised");
    throw e;
  }
  const body = await readJsonObject(req, options.maxBodyBytes);
  let symbols: readonly string[];
  try {
    symbols = view.status().symbols;
  } catch (e) {
    throw new ApiError(503, "ENGINE_UNAVAILABLE", `the engine cannot take commands yet: ${describeError(e).message}`);
  }
  const valid = validateCommand(body, symbols);
  if (!valid.ok) throw new ApiError(422, "COMMAND_INVALID", valid.message);

  const source = `api:${remote}`;
  const request = { commandId: valid.commandId, command: valid.command, source, args: valid.args };
  let outcome: CommandOutcome;
  try {
    outcome = await withTimeout(view.submitCommand(request), options.timeoutMs);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (isHeanError(e, "COMMAND_INVALID")) throw new ApiError(422, "COMMAND_INVALID", e.message);
    if (isHeanError(e, "BUS_CLOSED")) throw new ApiError(503, "ENGINE_UNAVAILABLE", e.message);
    if (isHeanError(e, "JOURNAL_IO")) {
      logger.error({ commandId: valid.commandId, command: valid.command, source, err: e.message }, "command refused: the journal has failed");
      throw new ApiError(503, "ENGINE_UNAVAILABLE", e.message);
    }
    if (isHeanError(e, "COMMAND_CONFLICT")) {
      logger.warn({ commandId: valid.commandId, command: valid.command, source, earlier: e.context["earlier"] }, "command refused: commandId reused for another command");
      throw new ApiError(409, "COMMAND_CONFLICT", e.message);
    }
    logger.error({ err: describeError(e), commandId: valid.commandId, command: valid.command, source }, "command failed in the engine");
    throw new ApiError(500, "COMMAND_FAILED", `the engine failed to process the command: ${describeError(e).message}`);
  }
  logger.info(
    { commandId: outcome.commandId, command: valid.command, source, ok: outcome.ok, duplicate: outcome.duplicate },
    `command ${valid.command}: ${outcome.message}`,
  );
  sendJson(res, 200, outcome);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ApiError(
            504,
            "COMMAND_TIMEOUT",
            `the engine has not answered within ${ms} ms; the command may still be applied: resend the same commandId to get its outcome`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
