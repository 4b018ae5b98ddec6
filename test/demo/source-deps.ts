// The demo's run-time dependencies, from source: the tests run the scenarios against
// src/testing (the CLI loads the built msal-guard/testing instead).
import * as msal from "@azure/msal-node";
import * as http from "node:http";
import type { DemoDeps } from "../../src/demo/index.js";
import * as testing from "../../src/testing/index.js";

export const sourceDeps: DemoDeps = { msal, testing, http };
