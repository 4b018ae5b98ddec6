/**
 * The object an adapter's `guardClient` returns: the app itself, with the guarded methods
 * and the operator controls in front and everything else passed through (bound to the
 * app, so MSAL's own `this` stays right).
 */
export function guardedProxy<App extends object, Controls extends Record<"status" | "reset", unknown>>(
  app: App,
  wrapped: ReadonlyMap<string, (...args: never[]) => unknown>,
  controls: Controls,
): App & Controls {
  return new Proxy(app, {
    get(target, property, receiver) {
      if (typeof property === "string") {
        const fn = wrapped.get(property);
        if (fn !== undefined) return fn;
        if (property === "status" || property === "reset") return controls[property];
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as App & Controls;
}
