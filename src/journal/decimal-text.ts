/**
 * Fast exact conversions between `Dec` and the canonical decimal text `format` writes.
 *
 * Replay decodes every decimal of every journaled event, so `dec`'s regex and string padding
 * dominate a 1M-event replay. These take a shortcut for the canonical shapes the journal itself
 * writes (optional "-", digits, optional "." and 1–18 digits) and hand anything else to
 * `dec`/`format`, which stay the definition: the tests check both agree on every input.
 */
import { type Dec, dec } from "../core/decimal.ts";

const POW10: readonly bigint[] = Array.from({ length: 19 }, (_, i) => 10n ** BigInt(i));
/** Up to 15 digits fit a float64 exactly, and `BigInt(number)` is much cheaper than `BigInt(string)`. */
const EXACT_NUMBER_DIGITS = 15;

export function parseDecimalText(text: string): Dec {
  const n = text.length;
  const start = n > 0 && text.charCodeAt(0) === 45 ? 1 : 0; // "-"
  if (n === start || n > 64) return dec(text);
  let dot = -1;
  // The digits' value, accumulated during the check: exact while there are at most 15 of them,
  // and it spares slicing the text, joining the pieces and parsing them again.
  let digitsValue = 0;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || i === start || i === n - 1) return dec(text);
      dot = i;
    } else if (c < 48 || c > 57) {
      return dec(text);
    } else {
      digitsValue = digitsValue * 10 + (c - 48);
    }
  }
  const fracLen = dot < 0 ? 0 : n - dot - 1;
  if (fracLen > 18) return dec(text); // dec raises the precision error
  const digitCount = n - start - (dot < 0 ? 0 : 1);
  let units: bigint;
  if (digitCount <= EXACT_NUMBER_DIGITS) units = BigInt(start === 1 ? -digitsValue : digitsValue);
  else units = BigInt(dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1));
  return (units * POW10[18 - fracLen]!) as Dec;
}

/** Same text as `format`, with one bigint-to-string conversion instead of a division and a modulo. */
export function formatDecimalText(value: Dec): string {
  if (value === 0n) return "0";
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  let text: string;
  if (digits.length <= 18) {
    text = "0." + "0".repeat(18 - digits.length) + digits;
  } else {
    const cut = digits.length - 18;
    text = digits.slice(0, cut) + "." + digits.slice(cut);
  }
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--; // trailing zeros of the fraction
  if (text.charCodeAt(end - 1) === 46) end--; // a bare "."
  text = end === text.length ? text : text.slice(0, end);
  return negative ? "-" + text : text;
}
