/**
 * 1003 (unsupported data, RFC 6455 §7.4.1): a data message whose type the receiving endpoint does not
 * accept — binary to a text-only endpoint or text to a binary-only one. The decoder knows the type at the
 * first frame (so --enforce can stop the message before it is forwarded) and reports at the last frame,
 * when it can say how big the message was and whether a binary payload was really text.
 */
import type { Side } from '../events/index.js';
import type { RuleId } from '../rules/index.js';
import { Opcode } from './constants.js';
import { Utf8Validator } from './utf8.js';

export type AcceptedType = 'text' | 'binary' | 'any';

/** What the receiving endpoint of a direction accepts, and why wsdiag believes so (shown to the user). */
export interface TypePolicy {
  accepts: AcceptedType;
  /** Where the policy comes from, e.g. "--server-accepts text", "profile mqtt", "learned from c3". */
  source: string;
}

/** A message that breaks the policy, followed until it ends. */
export class TypeMismatch {
  readonly rule: RuleId;
  private readonly policy: TypePolicy;
  private readonly receiver: Side;
  /** For binary sent to a text-only endpoint: is the payload UTF-8 anyway? */
  private readonly utf8: Utf8Validator | null;

  private constructor(rule: RuleId, policy: TypePolicy, receiver: Side) {
    this.rule = rule;
    this.policy = policy;
    this.receiver = receiver;
    this.utf8 = rule === 'unsupported-binary' ? new Utf8Validator() : null;
  }

  /** The mismatch a new message of `opcode` makes under `policy`, or null when it is accepted. */
  static check(policy: TypePolicy | null, opcode: number, receiver: Side): TypeMismatch | null {
    if (!policy || policy.accepts === 'any') return null;
    if (opcode === Opcode.Binary && policy.accepts === 'text') return new TypeMismatch('unsupported-binary', policy, receiver);
    if (opcode === Opcode.Text && policy.accepts === 'binary') return new TypeMismatch('unsupported-text', policy, receiver);
    return null;
  }

  /** Whether the content needs to be seen (only to tell whether binary is really text). */
  get wantsContent(): boolean {
    return this.utf8 !== null && this.utf8.valid;
  }

  /** Application data of the message, in order. */
  content(data: Uint8Array, start: number, end: number): void {
    this.utf8?.write(data, start, end);
  }

  describe(firstFrame: number, frames: number, size: number | null): string {
    const type = this.rule === 'unsupported-binary' ? 'Binary' : 'Text';
    const only = this.policy.accepts;
    const howBig = size === null ? '' : ` of ${size} bytes`;
    const spread = frames > 1 ? `first frame #${firstFrame}, ${frames} frames` : `frame #${firstFrame}`;
    return `${type} message${howBig} (${spread}) sent to a ${this.receiver} that accepts only ${only} (policy: ${this.policy.source}).`;
  }

  /** A fix that fits the payload: binary that is valid UTF-8 was meant to be text. */
  hint(head: Uint8Array): string {
    if (this.rule === 'unsupported-text') {
      return `The ${this.receiver} accepts only binary: send this data as a binary frame (opcode 0x2), e.g. encode it to bytes first.`;
    }
    if (this.utf8 && this.utf8.finish()) {
      const first = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
      const json = first === 0x7b || first === 0x5b ? ' (it looks like JSON)' : '';
      return `The payload is text${json}: send it as a text frame (opcode 0x1) — with Node's ws pass a string or { binary: false }; in a browser send a string, not a Blob or ArrayBuffer.`;
    }
    return `The ${this.receiver} accepts only text: encode this data as text (e.g. base64 or JSON) and send it as a text frame (opcode 0x1), or negotiate a subprotocol that carries binary.`;
  }
}
