/**
 * The RC capability bitfield (shared/reference/remote-config.md §7). Bit numbers are shared by all
 * tracers and must never be invented: the backend alerts on unknown bits.
 */

export const Capability = Object.freeze({
  APM_TRACING_ENABLE_DYNAMIC_INSTRUMENTATION: 38,
  APM_TRACING_ENABLE_EXCEPTION_REPLAY: 39,
  APM_TRACING_ENABLE_CODE_ORIGIN: 40,
  APM_TRACING_ENABLE_LIVE_DEBUGGING: 41,
  APM_TRACING_MULTICONFIG: 45,
});

/**
 * Base64 of the big-endian bitfield without leading zero bytes; zero is one `0x00` byte
 * (`"AA=="`), as dd-trace-js sends it.
 */
export function encodeCapabilities(bits: Iterable<number>): string {
  let value = 0n;
  for (const bit of bits) value |= 1n << BigInt(bit);
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  if (bytes.length === 0) bytes.push(0);
  return Buffer.from(bytes).toString('base64');
}
