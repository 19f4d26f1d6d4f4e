/** `wsdiag tail` as a library. */
export { runTail, noticeText, type TailIO, type TailOptions } from './run.js';
