import type { IPublicClientApplication } from '@azure/msal-browser';

/**
 * Sign-in with Microsoft Entra ID, as config.json describes it (written at deployment): the console's
 * app registration, the authority (`https://login.microsoftonline.com/organizations`: any
 * organisation; the platform decides which directory serves which tenant) and the API's scope.
 */
export interface StaffSignInConfig {
  clientId: string;
  authority: string;
  scope: string;
}

// MSAL is loaded only by those who sign in with Microsoft: a key sign-in never downloads it.
let client: Promise<IPublicClientApplication> | undefined;
function msal(config: StaffSignInConfig): Promise<IPublicClientApplication> {
  client ??= import('@azure/msal-browser').then(({ createStandardPublicClientApplication }) =>
    createStandardPublicClientApplication({
      auth: { clientId: config.clientId, authority: config.authority, redirectUri: `${location.origin}${location.pathname}` },
      // Tokens live in this tab's session storage, as a key does: gone when the tab closes.
      cache: { cacheLocation: 'sessionStorage' },
    }),
  );
  return client;
}

/** Leaves for Microsoft's sign-in page; the console comes back with the answer in its address. */
export async function startMicrosoftSignIn(config: StaffSignInConfig): Promise<void> {
  await (await msal(config)).loginRedirect({ scopes: [config.scope] });
}

/** True when the address carries a sign-in answer from Microsoft. */
export function returningFromMicrosoft(): boolean {
  return /[#&](code|error)=/.test(location.hash);
}

/** Completes a sign-in the address carries; undefined when it carries none. */
export async function completeMicrosoftSignIn(config: StaffSignInConfig): Promise<string | undefined> {
  const result = await (await msal(config)).handleRedirectPromise({ navigateToLoginRequestUrl: false });
  return result?.accessToken;
}

/** An access token for the API, renewed silently while Microsoft's session lasts. */
export async function microsoftToken(config: StaffSignInConfig): Promise<string> {
  const app = await msal(config);
  const [account] = app.getAllAccounts();
  if (!account) throw new Error('Not signed in with Microsoft');
  return (await app.acquireTokenSilent({ scopes: [config.scope], account })).accessToken;
}

/** Forgets this tab's tokens (Microsoft's own session stays, as signing out of one app does). */
export async function forgetMicrosoftSignIn(config: StaffSignInConfig): Promise<void> {
  await (await msal(config)).clearCache();
}
