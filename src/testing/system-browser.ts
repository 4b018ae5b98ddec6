/**
 * A stand-in for the system browser msal-node's interactive flow opens: it loads the
 * sign-in page and hands the answer to msal-node's loopback server, as a browser would.
 */
import { isLoopbackRedirectUri } from "./authorize-endpoint.js";

/**
 * Opens `url` (an `/authorize` URL on the simulator at `origin`) and delivers its answer:
 * follows a redirect to a loopback URI, or submits a `form_post` page's form to one. Refuses
 * any other destination, so a test never sends anything off the machine.
 */
export async function openSignInPage(origin: string, url: string): Promise<void> {
  const page = new URL(url);
  if (page.origin !== origin) throw new Error(`msal-guard simulator: openBrowser only opens this simulator's pages (${origin}), not ${page.origin}.`);
  const response = await fetch(page, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && location !== null) {
    await response.body?.cancel();
    await (await fetch(loopback(location))).arrayBuffer();
    return;
  }
  const html = await response.text();
  const form = formOf(html);
  if (form === undefined) {
    throw new Error(`msal-guard simulator: the sign-in page answered ${response.status} with neither a redirect nor a form (an error page: the client or redirect URI is unknown).`);
  }
  const posted = await fetch(loopback(form.action), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form.fields).toString(),
  });
  await posted.arrayBuffer();
}

function loopback(uri: string): string {
  if (!isLoopbackRedirectUri(uri.replace(/#.*$/, ""))) throw new Error(`msal-guard simulator: openBrowser only delivers sign-in answers to loopback redirect URIs, not ${JSON.stringify(uri)}.`);
  return uri;
}

/** The action and hidden fields of a `form_post` page. */
function formOf(html: string): { action: string; fields: [string, string][] } | undefined {
  const action = /<form\b[^>]*\baction="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) return undefined;
  const fields: [string, string][] = [];
  for (const input of html.matchAll(/<input\b[^>]*\btype="hidden"[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(input[0])?.[1];
    if (name !== undefined) fields.push([unescapeHtml(name), unescapeHtml(value ?? "")]);
  }
  return { action: unescapeHtml(action), fields };
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);|&(amp|lt|gt|quot|apos);/g, (_, code: string | undefined, name: string | undefined) =>
    code !== undefined ? String.fromCharCode(Number(code)) : ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[name as string] as string,
  );
}
