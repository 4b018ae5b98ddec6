// Launches Debian's Chromium (never a downloaded browser) through playwright-core, with
// its profile and Playwright's temporary files under the project's .tmp/ (gitignored).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where screenshots and other test artifacts go (gitignored). */
export const ARTIFACTS_DIR = join(PROJECT_ROOT, "test-artifacts");
const TMP_ROOT = join(PROJECT_ROOT, ".tmp", "chromium");

/** `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ChromiumSession {
  readonly context: BrowserContext;
  /** Every page the context opened since launch (tabs and popups), in order. */
  readonly openedPages: readonly Page[];
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a fresh persistent profile. Fails (never skips) when the
 * browser is missing: `.ci/run` installs it with apt.
 */
export async function launchChromium(): Promise<ChromiumSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The browser end-to-end tests need Debian's chromium package: ` +
        "`.ci/run` installs it (apt-get install chromium); set CHROMIUM_PATH to use another binary. " +
        "Never `npx playwright install`: nothing may be downloaded.",
    );
  }
  await mkdir(TMP_ROOT, { recursive: true });
  const runDir = await mkdtemp(join(TMP_ROOT, "run-"));
  const profileDir = join(runDir, "profile");
  const tmpDir = join(runDir, "tmp");
  await mkdir(tmpDir, { recursive: true });
  // Playwright puts its artifacts under os.tmpdir(), which reads TMPDIR at call time.
  // Vitest runs each test file in its own worker, so this stays local to the file.
  process.env["TMPDIR"] = tmpDir;

  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, TMPDIR: tmpDir, HOME: runDir },
    viewport: { width: 900, height: 700 },
  });
  const openedPages: Page[] = [...context.pages()];
  context.on("page", (page) => openedPages.push(page));
  return {
    context,
    openedPages,
    async close() {
      await context.close().catch(() => undefined);
      await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** A path under `test-artifacts/`, creating the folder. */
export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
