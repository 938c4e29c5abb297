import { startEmbeddedStack } from '../../local/stack';

/** One Cosmos DB server and one Azurite for the whole run; each test file uses its own database. */
export default async function globalSetup(): Promise<void> {
  const stack = await startEmbeddedStack();
  (globalThis as { __UNIFICA_STACK__?: unknown }).__UNIFICA_STACK__ = stack;
  process.env.TEST_COSMOS_ENDPOINT = stack.cosmosEndpoint;
  process.env.TEST_BLOB_CONNECTION_STRING = stack.blobConnectionString;
  process.env.TEST_BLOB_SERVICE_URI = stack.blobServiceUri;
}
