import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", testing: "src/testing/index.ts", node: "src/node/index.ts", browser: "src/browser/index.ts", redis: "src/redis/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: false, // the build script empties dist once; two parallel configs must not clean each other
    sourcemap: true,
    target: "es2022",
    splitting: true,
    treeshake: true,
    external: ["@azure/msal-node", "@azure/msal-browser", "ioredis"],
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    dts: false,
    clean: false,
    sourcemap: false,
    target: "node20",
    platform: "node",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
