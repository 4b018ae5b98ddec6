import { describe, expect, it } from "vitest";
import { formatWait } from "../../src/core/messages/index.js";

describe("formatWait", () => {
  it.each([
    [0, "en", "about 1 second"],
    [1_000, "en", "about 1 second"],
    [1_001, "en", "about 2 seconds"],
    [60_000, "en", "about 60 seconds"],
    [89_000, "en", "about 89 seconds"],
    [89_001, "en", "about 2 minutes"],
    [150_000, "en", "about 3 minutes"],
    [3_600_000, "en", "about 60 minutes"],
    [5_369_000, "en", "about 89 minutes"],
    [5_400_000, "en", "about 2 hours"],
    [18_000_000, "en", "about 5 hours"],
    [1_000, "de", "etwa 1 Sekunde"],
    [120_000, "de", "etwa 2 Minuten"],
    [7_200_000, "de", "etwa 2 Stunden"],
    [1_000, "fr", "environ 1\u00a0seconde"],
    [60_000, "fr", "environ 60\u00a0secondes"],
    [5_400_000, "es", "aproximadamente 2 horas"],
    [60_000, "es-MX", "aproximadamente 60 segundos"],
    [30_000, "ja", "約30秒"],
    [120_000, "ja-JP", "約2分"],
    [7_200_000, "ja", "約2時間"],
    [120_000, "nl", "about 2 minutes"],
    [120_000, undefined, "about 2 minutes"],
    [4_000_000_000, "de", "etwa 1.111 Stunden"],
  ] as const)("%i ms in %s → %s", (ms, locale, expected) => {
    expect(formatWait(ms, locale)).toBe(expected);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, "5" as unknown as number])("is undefined for %j", (ms) => {
    expect(formatWait(ms, "en")).toBeUndefined();
  });
});
