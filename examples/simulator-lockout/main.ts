// Walk through smart lockout with real msal-node against the bundled Entra simulator:
// ten wrong passwords, then AADSTS50053 even for the right one, classified and explained.
//
//   npm run build && npx tsx examples/simulator-lockout/main.ts [locale]
import { PublicClientApplication } from "@azure/msal-node";
import { classify, messageFor, toGuardError } from "msal-guard";
import { createManualClock, startEntraSimulator } from "msal-guard/testing";

const locale = process.argv[2] ?? "en";
const clock = createManualClock();
const sim = await startEntraSimulator({
  clock,
  users: [{ username: "ada@contoso.test", password: "Correct-Horse-7" }],
  clients: [{ clientId: "11111111-1111-4111-8111-111111111111", type: "public" }],
});

const app = new PublicClientApplication({
  auth: sim.msalNodeAuth("11111111-1111-4111-8111-111111111111"),
  system: { loggerOptions: { loggerCallback: () => {}, piiLoggingEnabled: false } },
});

async function signIn(password: string) {
  try {
    await app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: "ada@contoso.test", password });
    return "signed in";
  } catch (error) {
    const { kind, codes } = classify(error);
    return `${kind} [${codes.join(", ")}]`;
  }
}

try {
  for (let attempt = 1; attempt <= 10; attempt++) console.log(`wrong password #${attempt}: ${await signIn(`guess-${attempt}`)}`);
  console.log(`right password:      ${await signIn("Correct-Horse-7")}`);

  try {
    await app.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: "ada@contoso.test", password: "Correct-Horse-7" });
  } catch (error) {
    const guarded = toGuardError(error);
    const message = messageFor(guarded, { locale, now: clock.now() });
    console.log(`\n${guarded.name}: ${guarded.message}`);
    console.log(`\n${message.title}\n${message.body}\n${message.action}`);
    if (message.supportReference) console.log(message.supportReference);
  }

  clock.advance(61_000); // the first lockout lasts 60 s of simulated time
  console.log(`\nafter 61 s:          ${await signIn("Correct-Horse-7")}`);
  console.log(`token requests sent: ${sim.counts().total}`);
} finally {
  await sim.close();
}
