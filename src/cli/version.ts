import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The version from msal-guard's own package.json, found by walking up from this
 * module (`dist/cli.js` → `package.json`; `src/cli/version.ts` → `package.json`),
 * so it is right however the package was installed. `undefined` when not found.
 */
export async function readPackageVersion(moduleUrl: string = import.meta.url): Promise<string | undefined> {
  let directory = dirname(fileURLToPath(moduleUrl));
  for (let depth = 0; depth < 4; depth++) {
    try {
      const manifest = JSON.parse(await readFile(join(directory, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "msal-guard" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // No package.json here (or not readable): keep walking up.
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}
