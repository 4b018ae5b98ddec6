// The page MSAL's popup and hidden iframe land on after /authorize: it hands the
// response (`#code=...` or `#error=...`) to the page that started the flow.
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

broadcastResponseToMainFrame().catch(() => {
  // Opened without a response (e.g. by hand): nothing to hand over.
  document.body.textContent = "Nothing to do here: this page only relays sign-in responses.";
});
