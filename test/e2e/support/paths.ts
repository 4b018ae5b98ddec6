// Where the project lives, for loading packages and writing temporary builds.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (holds package.json and the gitignored `.tmp/`). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
