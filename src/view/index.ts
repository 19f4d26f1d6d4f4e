/** `wsdiag view LOG…` as a library: the dashboard over recorded logs. */
export { runView, type ViewOptions } from './run.js';
