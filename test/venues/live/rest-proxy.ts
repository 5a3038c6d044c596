/**
 * A pass-through HTTP proxy in front of a simulator's REST (point a venue's `restUrl` at it), for
 * what the simulator cannot be told to do: count requests, refuse some, rewrite an answer, or
 * make something happen at the venue between an answer and the next request.
 */
import { createServer, request } from "node:http";

export interface RestProxy {
  readonly url: string;
  /** How many requests `counted` picked so far (counted as they arrive). */
  count(): number;
  close(): Promise<void>;
}

export interface RestProxyOptions {
  readonly counted?: (url: URL) => boolean;
  /** An answer given here instead of passing the request on (asked per request: a test can stop refusing). */
  readonly refused?: (url: URL) => { readonly status: number; readonly body: unknown } | undefined;
  /**
   * The simulator's answer to a request, changed (or held while something happens) before it is
   * passed on; undefined: passed on as it comes.
   */
  readonly answer?: (url: URL, method: string) => ((body: Buffer) => Buffer | Promise<Buffer>) | undefined;
}

/** A JSON answer rewritten: for `answer`. */
export const rewriteJson =
  (rewrite: (answer: any) => unknown) =>
  (body: Buffer): Buffer =>
    Buffer.from(JSON.stringify(rewrite(JSON.parse(body.toString("utf8")))));

export async function restProxy(targetUrl: string, options: RestProxyOptions = {}): Promise<RestProxy> {
  const target = new URL(targetUrl);
  let counted = 0;
  const proxy = createServer((req, res) => {
    const url = new URL(req.url ?? "/", targetUrl);
    if (options.counted?.(url) === true) counted++;
    const refusal = options.refused?.(url);
    if (refusal !== undefined) {
      req.resume();
      res.writeHead(refusal.status, { "content-type": "application/json" }).end(JSON.stringify(refusal.body));
      return;
    }
    const change = options.answer?.(url, req.method ?? "GET");
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      if (change === undefined) {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => {
        // Whole now: a length instead of the chunking the simulator may have answered with.
        const { "transfer-encoding": _chunked, ...headers } = r.headers;
        void Promise.resolve(change(Buffer.concat(chunks))).then((body) => {
          res.writeHead(r.statusCode ?? 502, { ...headers, "content-length": body.length }).end(body);
        });
      });
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    count: () => counted,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
