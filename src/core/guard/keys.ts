/**
 * Store keys and credential fingerprints. Keys are SHA-256 of the identity's parts (an HMAC
 * when the app gives a secret), so no user name, tenant or scope is readable in a store;
 * credentials are only ever kept as an HMAC under a secret key. Web Crypto only: works in
 * browsers and Node.
 */

let encoder: TextEncoder | undefined; // created on first use: importing the package does no work

function encode(text: string): Uint8Array<ArrayBuffer> {
  encoder ??= new TextEncoder();
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (crypto?.subtle === undefined) {
    throw new Error("msal-guard needs Web Crypto (globalThis.crypto.subtle): Node 20+, or a browser page in a secure context (https or localhost).");
  }
  return crypto.subtle;
}

function hex(buffer: ArrayBuffer, bytes = 16): string {
  return Array.from(new Uint8Array(buffer, 0, bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `value` is a key {@link hashKey} makes: 32 lower-case hex digits. */
export function isHashKey(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{32}$/.test(value);
}

/** A stable, non-reversible key for the given parts (128 bits of SHA-256, hex). */
export async function hashKey(...parts: readonly string[]): Promise<string> {
  // A separator that cannot occur inside the parts' JSON encoding.
  const digest = await subtle().digest("SHA-256", encode(JSON.stringify(parts)));
  return hex(digest);
}

/**
 * {@link hashKey} under a secret key (HMAC-SHA-256, 128 bits, hex): without the key, nobody
 * can tell which user name, tenant or app a key stands for, even by guessing them.
 */
export async function keyedHashKey(key: CryptoKey, parts: readonly string[]): Promise<string> {
  return hex(await subtle().sign("HMAC", key, encode(JSON.stringify(parts))));
}

/** Imports an HMAC key for fingerprints. */
export async function importFingerprintKey(secret: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey("raw", secret as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** A keyed fingerprint of a credential: HMAC-SHA-256, 128 bits, hex. */
export async function fingerprint(key: CryptoKey, scope: string, credential: string): Promise<string> {
  const mac = await subtle().sign("HMAC", key, encode(`${scope}\u0000${credential}`));
  return hex(mac);
}

export function randomSecret(): Uint8Array {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}
