// aws-local-stepfunctions wants Promise.withResolvers (Node 22); define it for Node 20.
import '../local/polyfills.js';
