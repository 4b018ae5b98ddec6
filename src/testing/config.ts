/**
 * MSAL configuration that points msal-node and msal-browser at a running simulator
 * without any request to the internet (no instance discovery, no metadata fetch).
 *
 * MSAL insists on an `https:` authority string but does not check the scheme of the
 * endpoints it is given through `authorityMetadata`, so the authority names a host that
 * never resolves (`login.simulator.test`, `.test` being reserved by RFC 2606), that host
 * is listed in `knownAuthorities` (which skips instance discovery), and the metadata
 * carries the simulator's real `http://127.0.0.1:<port>` endpoints.
 *
 * msal-node's `ManagedIdentityApplication` takes no authority: it finds its endpoint in
 * environment variables. With none of the App Service, Service Fabric, Azure Arc, Cloud
 * Shell or Machine Learning variables set it uses IMDS, at `AZURE_POD_IDENTITY_AUTHORITY_HOST`
 * when that is set (AKS pod identity's override) instead of `http://169.254.169.254`.
 */

import { IMDS_TOKEN_PATH } from "./managed-identity.js";

/** Where the simulator answers. */
export interface SimulatorEndpoints {
  /** `iss` of ID tokens: `https://<authority host>/<tenant>/v2.0`. */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** Derived by MSAL from the token endpoint (`/token` → `/devicecode`). */
  readonly deviceCodeEndpoint: string;
  readonly endSessionEndpoint: string;
  readonly jwksUri: string;
  readonly openIdConfiguration: string;
  /** The managed identity endpoint (IMDS's token path, `GET`): `<url>/metadata/identity/oauth2/token`. */
  readonly managedIdentityEndpoint: string;
}

/** The `auth` block for msal-node's `Configuration`. */
export interface MsalNodeAuthOptions {
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  /** JSON string, as MSAL expects. */
  authorityMetadata: string;
  clientSecret?: string;
}

/** The `auth` block for msal-browser's `Configuration`. */
export interface MsalBrowserAuthOptions {
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  authorityMetadata: string;
  redirectUri: string;
}

/** Builds endpoint URLs for a simulator at `baseUrl` (e.g. `http://127.0.0.1:50123`). */
export function simulatorEndpoints(baseUrl: string, authority: string, tenantId: string): SimulatorEndpoints {
  const tenantBase = `${baseUrl}/${tenantId}`;
  return {
    issuer: `${authority}/v2.0`,
    authorizationEndpoint: `${tenantBase}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${tenantBase}/oauth2/v2.0/token`,
    deviceCodeEndpoint: `${tenantBase}/oauth2/v2.0/devicecode`,
    endSessionEndpoint: `${tenantBase}/oauth2/v2.0/logout`,
    jwksUri: `${tenantBase}/discovery/v2.0/keys`,
    openIdConfiguration: `${tenantBase}/v2.0/.well-known/openid-configuration`,
    managedIdentityEndpoint: `${baseUrl}${IMDS_TOKEN_PATH}`,
  };
}

/** The `authorityMetadata` JSON string MSAL accepts in place of OpenID discovery. */
export function authorityMetadataJson(endpoints: SimulatorEndpoints): string {
  return JSON.stringify({
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorizationEndpoint,
    token_endpoint: endpoints.tokenEndpoint,
    end_session_endpoint: endpoints.endSessionEndpoint,
    jwks_uri: endpoints.jwksUri,
  });
}

/** The host part of an authority URL, as `knownAuthorities` wants it. */
export function authorityHostOf(authority: string): string {
  return new URL(authority).host;
}

/** The variable that sends msal-node's IMDS requests to another host (AKS pod identity's override). */
export const IMDS_HOST_VARIABLE = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

/**
 * Variables by which msal-node picks a managed identity source other than IMDS (App
 * Service, Service Fabric, Azure Arc, Cloud Shell, Machine Learning).
 */
export const OTHER_MANAGED_IDENTITY_VARIABLES: readonly string[] = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
];
