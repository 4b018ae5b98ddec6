// The Redis key layout, as a table: pure, no server.
import { describe, expect, it } from "vitest";
import { keyLayout, prefixProblem } from "../../src/redis/keys.js";

const HEX = "0123456789abcdef0123456789abcdef";

describe("key layout", () => {
  const keys = keyLayout("msal-guard:");
  it.each([
    [`i:${HEX}`, `msal-guard:{${HEX}}:i`],
    [`l:${HEX}`, `msal-guard:{${HEX}}:l`],
    [`a:${HEX}`, `msal-guard:{${HEX}}:a`],
  ])("keeps the engine's key %s as %s (the hash is the Cluster hash tag)", (key, redisKey) => {
    expect(keys.redisKey(key)).toBe(redisKey);
    expect(keys.publicKey(key)).toBe(key);
  });

  it.each([["ada@contoso.test"], [`I:${HEX}`], [`i:${HEX}:extra`], ["i:xyz"], ["{tag}"], [""]])("hashes any other key (%j) so nothing readable reaches Redis", (key) => {
    const redisKey = keys.redisKey(key);
    expect(redisKey).toMatch(/^msal-guard:\{[0-9a-f]{32}\}:#$/);
    expect(keys.publicKey(key)).toMatch(/^#[0-9a-f]{32}$/);
  });

  it("puts an identity's lease next to its record, and nothing else", () => {
    expect(keys.recordOfLease(`l:${HEX}`)).toBe(`msal-guard:{${HEX}}:i`);
    expect(keys.recordOfLease(`i:${HEX}`)).toBeUndefined();
    expect(keys.recordOfLease("probe")).toBeUndefined();
  });

  it("maps the engine's keys back from Redis, and nothing else (listKeys)", () => {
    for (const key of [`i:${HEX}`, `a:${HEX}`, `l:${HEX}`, `x:${"f".repeat(128)}`]) expect(keys.storeKey(keys.redisKey(key))).toBe(key);
    for (const redisKey of [keys.redisKey("ada@contoso.test"), keys.secret, keys.channel, `other:{${HEX}}:i`, `msal-guard:x{${HEX}}:i`, `msal-guard:{${HEX}}:ii`, `msal-guard:{${HEX.toUpperCase()}}:i`]) {
      expect(keys.storeKey(redisKey)).toBeUndefined();
    }
  });

  it("scans for the layout under the prefix, a prefix's glob characters matching themselves only", () => {
    expect(keys.scanPattern).toBe("msal-guard:{*}:?");
    expect(keyLayout("app*:").scanPattern).toBe("app\\*:{*}:?");
    expect(keyLayout("a?[b]\\c:").scanPattern).toBe("a\\?\\[b\\]\\\\c:{*}:?");
    // An ioredis keyPrefix is in the keys SCAN returns, and must be in its pattern.
    const prefixed = keyLayout("app:", "t*1:");
    expect(prefixed.scanPattern).toBe("t\\*1:app:{*}:?");
    expect(prefixed.storeKey(`t*1:app:{${"ab".repeat(16)}}:i`)).toBe(`i:${"ab".repeat(16)}`);
    expect(prefixed.storeKey(`app:{${"ab".repeat(16)}}:i`)).toBeUndefined();
    expect(prefixed.redisKey(`i:${"ab".repeat(16)}`)).toBe(`app:{${"ab".repeat(16)}}:i`); // ioredis adds the keyPrefix
    expect(prefixed).toMatchObject({ secret: "app:secret", channel: "app:events" });
  });

  it("names the secret and the channel under the prefix", () => {
    expect(keyLayout("app1:")).toMatchObject({ secret: "app1:secret", channel: "app1:events" });
  });
});

describe("prefix", () => {
  it.each([
    ["msal-guard:", undefined],
    ["tenant-a/guard/", undefined],
    ["", /non-empty/],
    ["x".repeat(65), /64 characters/],
    ["a{b}:", /hash tags/],
    ["a b", /spaces/],
    ["a\nb", /control/],
    [42, /non-empty string/],
  ])("%j: %s", (prefix, problem) => {
    const found = prefixProblem(prefix);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});
