/**
 * What the demo needs from outside the CLI bundle, loaded at run time: `@azure/msal-node`
 * (an optional peer dependency), the Entra simulator (`msal-guard/testing`, the package's
 * own built entry point) and `node:http`.
 *
 * They are imported through a specifier the bundler cannot see, on purpose: the CLI's
 * modules stay platform-neutral and do nothing at import time (test/messages/
 * tree-shaking.test.ts bundles `src/cli/run.ts` for a neutral platform), and msal-node is
 * never inlined into `dist/cli.js`. Tests pass the source modules instead.
 */
import type * as Http from "node:http";
import type * as MsalNodeModule from "@azure/msal-node";
import type * as TestingModule from "../testing/index.js";

export type MsalNode = typeof MsalNodeModule;

export interface DemoDeps {
  readonly msal: MsalNode;
  readonly testing: Pick<typeof TestingModule, "startEntraSimulator" | "createManualClock">;
  readonly http: Pick<typeof Http, "Agent" | "request">;
}

export const MSAL_NODE_MISSING_MESSAGE = "npm install @azure/msal-node to run the demo";

/** Thrown when `@azure/msal-node` cannot be imported. */
export class MsalNodeMissingError extends Error {
  override readonly name = "MsalNodeMissingError" as const;
  constructor(cause: unknown) {
    super(`@azure/msal-node is not installed: ${MSAL_NODE_MISSING_MESSAGE}.`, { cause });
  }
}

/** A dynamic import the bundler leaves alone (the specifier is a parameter). */
function importAtRunTime(specifier: string): Promise<unknown> {
  return import(specifier);
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

/** A CJS build may sit under `default` when loaded from ESM. */
function moduleWith<T>(loaded: unknown, member: string): T | undefined {
  const module = loaded as Record<string, unknown> & { default?: Record<string, unknown> };
  if (typeof module[member] === "function") return module as T;
  if (typeof module.default?.[member] === "function") return module.default as T;
  return undefined;
}

export async function loadMsalNode(): Promise<MsalNode> {
  let loaded: unknown;
  try {
    loaded = await importAtRunTime("@azure/msal-node");
  } catch (error) {
    if (isNotFound(error)) throw new MsalNodeMissingError(error);
    throw error;
  }
  const msal = moduleWith<MsalNode>(loaded, "PublicClientApplication");
  if (msal === undefined || typeof msal.InteractionRequiredAuthError !== "function") {
    throw new MsalNodeMissingError(new Error("the module loaded as @azure/msal-node has no PublicClientApplication"));
  }
  return msal;
}

/** Loads everything the demo needs. Rejects with {@link MsalNodeMissingError} when msal-node is missing. */
export async function loadDemoDeps(): Promise<DemoDeps> {
  const msal = await loadMsalNode();
  let testing: DemoDeps["testing"] | undefined;
  try {
    testing = moduleWith<DemoDeps["testing"]>(await importAtRunTime("msal-guard/testing"), "startEntraSimulator");
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (testing === undefined) throw new Error("msal-guard/testing (the Entra simulator) could not be loaded; run `npm run build` first");
  const http = moduleWith<DemoDeps["http"]>(await importAtRunTime("node:http"), "request");
  if (http === undefined) throw new Error("node:http is not available: the demo runs on Node.js");
  return { msal, testing, http };
}
