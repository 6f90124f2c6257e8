// Test helpers of @vigil/sdk (`@vigil/sdk/testing`): never imported by the main entry.
export { errorReply, startTestServer } from './test-server.ts';
export type { RecordedRequest, TestHandler, TestReply, TestServer } from './test-server.ts';
export { agentView, transitionView } from './fixtures.ts';
