// The guard's clock on the simulator's manual clock (msal-guard/testing's createGuardClock),
// under the name the tests have always used.
export { createGuardClock as simulatedGuardClock } from "../../src/testing/index.js";
