/**
 * `wsdiag ci` for library users: run a command behind the proxy and judge the run, plus the pure
 * pieces (the --fail-on policy, the JUnit and summary writers, GitHub annotations) on their own.
 */
export { runCi, CI_DEFAULT_LISTEN, type CiOptions, type CiIO, type CiResult } from './run.js';
export {
  parseFailOn,
  violationFails,
  decideExit,
  DEFAULT_FAIL_ON,
  type FailOnPolicy,
  type CommandOutcome,
  type RunVerdict,
} from './policy.js';
export { renderJunit, type JunitInput } from './junit.js';
export { RunRecorder, type ConnectionRecord } from './recorder.js';
export { buildCiSummary, renderCiSummary, type CiSummary, type ConnectionSummary } from './summary-json.js';
export { githubAnnotation } from './annotations.js';
export { isGithubActions } from './annotations.js';
