// aws-local-stepfunctions wants Promise.withResolvers (Node 22); define it for Node 20.
import '../local/polyfills.js';

// The SDK's notice that its 2027 releases need Node 22 would print once per test file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
