import { build } from "esbuild";
const out = await build({ stdin: { contents: `import { classify } from "msal-guard"; export function kindOf(e){return classify(e).kind}`, resolveDir: process.cwd(), loader: "js" }, bundle: true, write: false, minify: true, format: "esm", platform: "browser", target: "es2022", logLevel: "silent" });
console.log(out.outputFiles[0].text);
