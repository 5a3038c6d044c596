/**
 * Node's fetch waits 300 s for an answer's headers and 300 s between its body's bytes, and says
 * nothing meanwhile: one hung server would hold a download for minutes a file. A watch aborts a
 * request once `timeoutMs` pass without the headers or without a byte of the body.
 */
import { HeanError } from "../../core/errors.ts";

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface Watch {
  readonly signal: AbortSignal;
  /** The headers or some bytes arrived: the wait starts again. */
  kick(): void;
}

/**
 * Runs one request under a watch; when it runs out, the request's error becomes a DATA_DOWNLOAD
 * error naming the URL (`kept` says what is left on disk once a body began).
 */
export async function watched<T>(url: string, timeoutMs: number, run: (watch: Watch) => Promise<T>, kept = ""): Promise<T> {
  const controller = new AbortController();
  let answered = false;
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      expired = true;
      controller.abort();
    }, timeoutMs);
  };
  arm();
  try {
    return await run({
      signal: controller.signal,
      kick() {
        answered = true;
        arm();
      },
    });
  } catch (e) {
    if (!expired) throw e;
    const s = timeoutMs / 1000;
    throw new HeanError("DATA_DOWNLOAD", `${url}: ${answered ? `the answer stalled (no bytes for ${s} s)${kept}` : `no answer within ${s} s`}`, { url, timeoutMs });
  } finally {
    clearTimeout(timer);
  }
}

/** A response's text, read under the watch (`response.text()` would not kick it). */
export async function watchedText(response: Response, watch: Watch): Promise<string> {
  if (response.body === null) return "";
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) {
    watch.kick();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
