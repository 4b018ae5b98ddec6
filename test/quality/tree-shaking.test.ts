// What an application bundler ships for msal-guard, seen from the outside: bundles the
// BUILT package through its own exports map (`import ... from "msal-guard"` resolves to
// dist/ by package self-reference) and inspects the output. test/messages/tree-shaking.test.ts
// checks the source modules one by one; this checks the shared chunks tsup really
// publishes, where core, guard engine, browser and node code sit side by side.
//
// Then it evaluates the built entry points in an empty realm whose global object records
// every lookup, to prove that importing msal-guard does nothing: no platform API touched,
// no global written, no dependency called.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { build, transformSync, type Metafile, type Plugin } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, assertBuilt, packageJson, tempDir } from "./support.js";

interface Bundle {
  readonly code: string;
  readonly metafile: Metafile;
}

async function bundle(contents: string, options: { format?: "esm" | "cjs"; plugins?: Plugin[] } = {}): Promise<Bundle> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: "js", sourcefile: "app.js" },
    bundle: true,
    write: false,
    metafile: true,
    format: options.format ?? "esm",
    // No "browser" or "node" condition: the bundle gets only what the entry itself pulls in.
    platform: "neutral",
    treeShaking: true,
    minify: false, // kept readable for the assertions and for whoever reads a failure
    charset: "utf8", // locale text stays searchable (not \u escapes)
    logLevel: "silent",
    plugins: options.plugins ?? [],
  });
  return { code: result.outputFiles[0]?.text ?? "", metafile: result.metafile };
}

/** The single output's record in esbuild's metafile. */
function output(metafile: Metafile): Metafile["outputs"][string] {
  const [only] = Object.values(metafile.outputs);
  if (only === undefined) throw new Error("esbuild produced no output");
  return only;
}

/**
 * One distinctive phrase per built-in table (the Conditional Access title; the
 * source-level test uses the lockout title). Checked below to really be in its table.
 */
const LOCALE_MARKERS = {
  en: "Your organization's policy blocks this sign-in",
  de: "Die Richtlinie Ihrer Organisation blockiert diese Anmeldung",
  fr: "Connexion bloquée par la politique de votre organisation",
  es: "La política de su organización bloquea este inicio de sesión",
  ja: "組織のポリシーによりサインインがブロックされました",
} as const;
type Tag = keyof typeof LOCALE_MARKERS;

const KEY_HASHING = "the guard's key hashing";

/**
 * Import-time work each entry is allowed: none. (Earlier builds created a TextEncoder in the
 * key hashing, and the Redis entry hashed its Lua scripts at import; both are now lazy.)
 */
const KNOWN_IMPORT_TIME_WORK: Readonly<Record<string, { readonly globalsRead: readonly string[]; readonly dependencyCalls: readonly string[] }>> = {
  "msal-guard": { globalsRead: [], dependencyCalls: [] },
  "msal-guard/browser": { globalsRead: [], dependencyCalls: [] },
  "msal-guard/node": { globalsRead: [], dependencyCalls: [] },
  "msal-guard/redis": { globalsRead: [], dependencyCalls: [] },
};

/** Code that `import { classify }` may bundle beyond classify itself: none. */
const KNOWN_FOREIGN_CODE: readonly string[] = [];

/** `found` without the known items (a foreign-code finding reads "name (match)"). */
const except = (found: string[], known: readonly string[]) => found.filter((item) => !known.some((k) => item === k || item.startsWith(`${k} (`)));

/** Code of other parts of the package, or of the platforms and libraries they need. */
const FOREIGN_CODE: Record<string, RegExp> = {
  "browser APIs": /\b(document|localStorage|sessionStorage|BroadcastChannel|window|navigator|addEventListener)\b/,
  "the notice renderer": /data-msal-guard-notice|--msal-guard-notice|renderNotice/,
  "the browser adapter": /createBrowserNetworkObserver|LocalStorageStore|acquireTokenPopup|msal-guard\.redirect/,
  "Node built-ins": /\bnode:|["'](fs|fs\/promises|path|crypto|http|https|os|timers\/promises|child_process)["']|\brequire\(|\bprocess\./,
  "the Node adapter": /\bFileStore\b|createNetworkObserver|writeFile|readFile/,
  "Redis": /ioredis|RedisStore|redis\.call|EVALSHA|NOSCRIPT/i,
  "MSAL itself": /@azure\/msal-|PublicClientApplication|ConfidentialClientApplication/,
  "the suppression engine": /createSuppressionEngine|MemoryStore|setTimeout|crypto\.subtle/,
  [KEY_HASHING]: /new TextEncoder\b|hashKey/,
};

/** Matches in code only: doc comments kept in the bundle may mention anything ("window"). */
function foreignCodeIn(bundled: string): string[] {
  const code = transformSync(bundled, { minifyWhitespace: true, charset: "utf8", loader: "js" }).code;
  // Browser API names are also words of the messages ("the sign-in window"): look for them outside string literals.
  const codeOnly = code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  return Object.entries(FOREIGN_CODE)
    .map(([name, pattern]) => [name, pattern, name === "browser APIs" ? codeOnly : code] as const)
    .filter(([, pattern, text]) => pattern.test(text))
    .map(([name, pattern, text]) => `${name} (${text.match(pattern)?.[0]})`);
}

function localeTablesIn(code: string): Tag[] {
  return (Object.keys(LOCALE_MARKERS) as Tag[]).filter((tag) => code.includes(LOCALE_MARKERS[tag]));
}

beforeAll(() => {
  assertBuilt();
});

describe("the built package's locale tables", () => {
  it("each marker phrase is in exactly its own table (so the checks below can't pass vacuously)", async () => {
    const { en, de, fr, es, ja } = (await import(join(ROOT, "dist/index.js"))) as Record<Tag, unknown>;
    const tables: Record<Tag, string> = { en: JSON.stringify(en), de: JSON.stringify(de), fr: JSON.stringify(fr), es: JSON.stringify(es), ja: JSON.stringify(ja) };
    for (const tag of Object.keys(LOCALE_MARKERS) as Tag[]) {
      const holders = (Object.keys(tables) as Tag[]).filter((other) => tables[other].includes(LOCALE_MARKERS[tag]));
      expect(holders, `marker of ${tag}`).toEqual([tag]);
    }
  });

  it("a bundle that uses every table contains every marker (the bundling keeps text searchable)", async () => {
    const { code } = await bundle(`export { builtInLocales } from "msal-guard";`);
    expect(localeTablesIn(code)).toEqual(["en", "de", "fr", "es", "ja"]);
  });
});

describe('import { classify } from "msal-guard"', () => {
  let classifyOnly: Bundle;
  beforeAll(async () => {
    classifyOnly = await bundle(`import { classify } from "msal-guard"; export const verdict = (error) => classify(error);`);
  });

  it("resolves through the exports map to the built ESM entry, not to src/", () => {
    const inputs = Object.keys(classifyOnly.metafile.inputs);
    expect(inputs).toContain("dist/index.js");
    expect(inputs.filter((file) => !file.startsWith("dist/") && file !== "app.js")).toEqual([]);
  });

  it("bundles no import of anything: no MSAL, no Node built-in, no other package", () => {
    expect(output(classifyOnly.metafile).imports).toEqual([]);
  });

  it("keeps classify and drops browser, Node, Redis, MSAL and suppression-engine code", () => {
    expect(classifyOnly.code).toMatch(/function classify\(/);
    expect(except(foreignCodeIn(classifyOnly.code), KNOWN_FOREIGN_CODE)).toEqual([]);
  });

  it("would notice what it checks for: the browser adapter's bundle shows browser APIs and the engine", async () => {
    const { code } = await bundle(`import { guardClient } from "msal-guard/browser"; export const guard = guardClient;`, { plugins: [] });
    const found = foreignCodeIn(code).map((item) => item.slice(0, item.indexOf(" (")));
    expect(found).toEqual(expect.arrayContaining(["browser APIs", "the suppression engine"]));
  });

  it("keeps not even the key hashing's encoder", () => {
    expect(foreignCodeIn(classifyOnly.code)).toEqual([]);
  });

  it("carries no user-facing locale table, English included", () => {
    expect(localeTablesIn(classifyOnly.code)).toEqual([]);
    // Nor the parts of the message chunk that only formatting needs.
    expect(classifyOnly.code).not.toMatch(/createMessageFormatter|Intl\.PluralRules|Intl\.NumberFormat/);
  });

  it("is a small fraction of the whole core", async () => {
    const whole = await bundle(`export * from "msal-guard";`);
    // classify needs the code catalogue and the extractors, not messages, explanations or the engine.
    expect(classifyOnly.code.length).toBeLessThan(whole.code.length / 3);
  });

  it("toGuardError and the error classes add no locale table and no platform code either", async () => {
    const { code, metafile } = await bundle(`
      import { classify, toGuardError, isMsalGuardError, AccountLockedError } from "msal-guard";
      export const handle = (e) => { const g = toGuardError(e); return [classify(e), isMsalGuardError(g), g instanceof AccountLockedError]; };
    `);
    expect(output(metafile).imports).toEqual([]);
    expect(except(foreignCodeIn(code), KNOWN_FOREIGN_CODE)).toEqual([]);
    expect(localeTablesIn(code)).toEqual([]);
  });

  it("an app that shows English messages ships English only", async () => {
    const { code } = await bundle(`import { createMessageFormatter, en } from "msal-guard"; export const format = createMessageFormatter({ locales: [en] });`);
    expect(localeTablesIn(code)).toEqual(["en"]);
    expect(except(foreignCodeIn(code), KNOWN_FOREIGN_CODE)).toEqual([]);
  });

  it('a bare `import "msal-guard"` leaves nothing behind', async () => {
    const { code } = await bundle(`import "msal-guard";`);
    expect(code.trim()).toBe("");
  });
});

// ---------------------------------------------------------------------------------------
// Import-time behaviour, by evaluation.

/** Names a fresh realm defines by itself: JavaScript's intrinsics (Map, Error, Intl, ...). */
const INTRINSICS: ReadonlySet<string> = new Set(
  (vm.runInNewContext("Object.getOwnPropertyNames(globalThis)") as string[]).filter((name) => name !== "globalThis" && name !== "console"),
);

/** How stubbed dependencies report a call; the only non-intrinsic global the code may see. */
const STUB_HOOK = "__msalGuardStubCall";

interface Evaluation {
  /** Global names looked up that are not intrinsics (`document`, `process`, `setTimeout`, ...). */
  readonly globalsRead: string[];
  /** Global properties written or defined. */
  readonly globalsWritten: string[];
  /** Functions of stubbed dependencies (MSAL, Node built-ins) called or constructed. */
  readonly dependencyCalls: string[];
  /** The module's exports. */
  readonly exports: Record<string, unknown>;
}

/** Named imports of each bare specifier across dist/ (tsup writes `import { a, b as c } from 'x';`). */
function distImports(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const file of readdirSync(join(ROOT, "dist")).filter((name) => name.endsWith(".js"))) {
    const source = readFileSync(join(ROOT, "dist", file), "utf8");
    for (const match of source.matchAll(/^import\s*\{([^}]*)\}\s*from\s*['"]([^'".][^'"]*)['"];?$/gm)) {
      const names = found.get(match[2] as string) ?? new Set<string>();
      for (const part of (match[1] as string).split(",")) {
        const name = part.trim().split(/\s+as\s+/)[0];
        if (name) names.add(name);
      }
      found.set(match[2] as string, names);
    }
  }
  return found;
}

/**
 * Replaces every package and built-in that dist/ imports with a stub whose exports are
 * functions reporting each call or `new` to {@link STUB_HOOK}. Anything else imported in
 * another form fails the build (no stub export), and so the test.
 */
function stubDependencies(): Plugin {
  const imports = distImports();
  return {
    name: "stub-dependencies",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.path === "msal-guard" || args.path.startsWith("msal-guard/") ? undefined : { path: args.path, namespace: "stub" }));
      pluginBuild.onLoad({ filter: /.*/, namespace: "stub" }, ({ path }) => ({
        loader: "js",
        contents: [
          // What a stub returns: anything can be called, constructed or read on it, so an
          // import-time call chain (createHash(...).update(...).digest(...)) runs to the end
          // and every offending export is reported, not just the first.
          `const chain = new Proxy(function () {}, { get: (_, k) => (k === Symbol.toPrimitive ? () => "stub" : chain), apply: () => chain, construct: () => chain });`,
          ...[...(imports.get(path) ?? [])].map(
            (name) => `export function ${name}() { globalThis.${STUB_HOOK}(${JSON.stringify(`${path}:${name}`)}); return chain; }`,
          ),
        ].join("\n"),
      }));
    },
  };
}

/** Bundles `export * from entry` (dependencies stubbed) and runs it in an empty realm with a recording global. */
async function evaluate(entry: string): Promise<Evaluation> {
  const { code } = await bundle(`export * from ${JSON.stringify(entry)};`, { format: "cjs", plugins: [stubDependencies()] });
  const bare = vm.runInNewContext("globalThis") as Record<string, unknown>;
  const globalsRead = new Set<string>();
  const globalsWritten = new Set<string>();
  const dependencyCalls: string[] = [];
  const own: Record<string | symbol, unknown> = Object.create(null);
  const global: Record<string | symbol, unknown> = new Proxy(own, {
    // Every name "exists", so each lookup reaches `get`, which records it.
    has: () => true,
    get(target, key) {
      if (key === "globalThis") return global;
      if (key === STUB_HOOK) return (name: string) => void dependencyCalls.push(name);
      if (key in target) return target[key];
      if (typeof key === "string" && INTRINSICS.has(key)) return bare[key];
      if (typeof key !== "string") return undefined;
      // Record the read, then answer as the real runtime would, so evaluation goes on and
      // every read is listed, not just the first.
      globalsRead.add(key);
      return (globalThis as Record<string, unknown>)[key];
    },
    set(target, key, value) {
      globalsWritten.add(String(key));
      target[key] = value;
      return true;
    },
    defineProperty(target, key, descriptor) {
      globalsWritten.add(String(key));
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      globalsWritten.add(String(key));
      return Reflect.deleteProperty(target, key);
    },
  });
  const context = vm.createContext(global);
  const module = { exports: {} as Record<string, unknown> };
  const load = vm.compileFunction(code, ["module", "exports"], { parsingContext: context, filename: `${entry} (bundled)` });
  load(module, module.exports);
  return { globalsRead: [...globalsRead], globalsWritten: [...globalsWritten], dependencyCalls, exports: module.exports };
}

describe("importing the built package does nothing", () => {
  it("the evaluator catches import-time work (control)", async () => {
    const probe = await evaluateSource(`
      import { randomBytes } from "crypto";
      globalThis.tag = 1;
      randomBytes(8);
      export const seen = [typeof document, queueMicrotask, new Map([[1, new Error("x")]])];
    `);
    expect(probe).toMatchObject({ globalsRead: ["document", "queueMicrotask"], globalsWritten: ["tag"], dependencyCalls: ["crypto:randomBytes"] });
  });

  /** Every code entry in package.json `exports`, as an app imports it. */
  const ENTRIES = Object.keys(packageJson().exports)
    .filter((subpath) => !subpath.endsWith(".json"))
    .map((subpath) => [subpath === "." ? "msal-guard" : `msal-guard/${subpath.slice(2)}`] as const);

  it.each(ENTRIES)(
    "%s: no platform global read, no global written, no dependency called; its exports are there",
    async (entry) => {
      const result = await evaluate(entry);
      const known = KNOWN_IMPORT_TIME_WORK[entry];
      expect(except(result.globalsRead, known?.globalsRead ?? [])).toEqual([]);
      expect(result.globalsWritten).toEqual([]);
      expect(except(result.dependencyCalls, known?.dependencyCalls ?? [])).toEqual([]);
      // Every export of the real ESM entry is there (evaluation ran to the end).
      const subpath = entry === "msal-guard" ? "." : `./${entry.slice("msal-guard/".length)}`;
      const file = (packageJson().exports[subpath] as { import: { default: string } }).import.default;
      const real = (await import(join(ROOT, file))) as Record<string, unknown>;
      expect(Object.keys(result.exports).sort()).toEqual(Object.keys(real).sort());
      if (entry === "msal-guard") {
        // And the evaluated core works without any platform global.
        const classify = result.exports.classify as (input: unknown) => { kind: string };
        expect(classify({ error: "invalid_grant", error_codes: [50053] }).kind).toBe("account_locked");
      }
    },
  );

  it.each(Object.keys(KNOWN_IMPORT_TIME_WORK).map((entry) => [entry]))(
    "%s does no import-time work at all",
    async (entry) => {
      const { globalsRead, dependencyCalls } = await evaluate(entry);
      expect({ globalsRead, dependencyCalls }).toEqual({ globalsRead: [], dependencyCalls: [] });
    },
  );
});

/** {@link evaluate} for a snippet of source instead of an entry point (the control case). */
async function evaluateSource(source: string): Promise<Evaluation> {
  const dir = tempDir("import-time-probe");
  const file = join(dir.path, "probe.js");
  writeFileSync(file, source);
  try {
    return await evaluate(file);
  } finally {
    dir.dispose();
  }
}
