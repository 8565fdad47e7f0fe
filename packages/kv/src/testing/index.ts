// Test helpers (the `@orchestrator/kv/testing` entry; needs the workspace's @orchestrator/testkit).
export {
  fourLetterWord,
  haveEtcd,
  haveZooKeeper,
  startEtcd,
  startZooKeeper,
  type TestServer,
} from './servers.js';
