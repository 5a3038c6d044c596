/**
 * The last line of defence against leaked secrets: a text filter that replaces every known
 * secret value, in the forms it takes inside a JSON log line or a URL, and a few credential
 * shapes that need no registration (bearer headers, Telegram bot tokens in Bot API URLs).
 *
 * Path-based redaction (pino `redact`) only sees keys it was told about; this sees the bytes.
 */
import { MIN_SCRUB_LENGTH, Secret, registeredSecretValues, secretRegistryVersion } from "../core/secrets.ts";

export const SCRUBBED = "[redacted]";

/** `Bearer abc…` in a header or message, and `/bot123456:AA…/` in a Bot API URL. */
const SHAPES: readonly RegExp[] = [
  /(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/g,
  /(\/bot)\d{3,}:[A-Za-z0-9_-]{20,}/g,
];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The forms a secret takes once written: raw, escaped inside a JSON string, percent-encoded. */
function variants(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const doubleJson = JSON.stringify(json).slice(1, -1);
  return [value, json, doubleJson, encodeURIComponent(value)];
}

function buildPattern(values: Iterable<string>): RegExp | undefined {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SCRUB_LENGTH) continue;
    for (const form of variants(value)) forms.add(form);
  }
  if (forms.size === 0) return undefined;
  // Longest first so a secret that contains another is replaced whole.
  const sorted = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(sorted.join("|"), "g");
}

export type Scrubber = (text: string) => string;

/**
 * A scrubber for the given secrets plus every secret registered process-wide (now or later:
 * the pattern is rebuilt when the registry changes).
 */
export function createScrubber(extra: Iterable<Secret | string> = []): Scrubber {
  const own = [...extra].map((s) => (typeof s === "string" ? s : s.reveal()));
  let builtFor = -1;
  let pattern: RegExp | undefined;
  return (text) => {
    const version = secretRegistryVersion();
    if (version !== builtFor) {
      pattern = buildPattern([...own, ...registeredSecretValues()]);
      builtFor = version;
    }
    let out = pattern === undefined ? text : text.replace(pattern, SCRUBBED);
    for (const shape of SHAPES) out = out.replace(shape, `$1${SCRUBBED}`);
    return out;
  };
}

/** Scrubs with the process-wide registry only (for API responses). */
export const scrubRegistered: Scrubber = createScrubber();
