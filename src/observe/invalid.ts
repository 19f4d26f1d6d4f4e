/**
 * What an intermediary did with one invalid frame (--include-invalid). Three behaviours are defensible:
 * pass it on unchanged (the endpoint behind it sees the real fault and reports it), or fail the
 * connection (Close 1002/1007, or just drop TCP). Two hide bugs: repairing the frame (the sender never
 * learns it is broken, and the next intermediary may not be so kind) or dropping it silently.
 * Pure: the connection's observations in, one finding out.
 */
import type { Direction } from '../events/index.js';
import { Opcode } from '../protocol/index.js';
import { getRule } from '../rules/index.js';
import { describeClose, type ConnectionObservation } from './compare.js';
import { info, warning } from './findings.js';
import type { InvalidSpec, ObservedStream, ProbeFinding } from './types.js';

export function classifyInvalid(spec: InvalidSpec, obs: ConnectionObservation): ProbeFinding {
  const sender = spec.from === 'client' ? obs.client : obs.server;
  const receiver = spec.from === 'client' ? obs.server : obs.client;
  const dir: Direction = spec.from === 'client' ? 'client->server' : 'server->client';
  const rule = getRule(spec.rule);
  const receiverName = spec.from === 'client' ? 'the reflector' : 'the client';

  if (receiver.received.violations.some((v) => v.rule === spec.rule)) {
    return info(
      'invalid-passed-on',
      dir,
      `The intermediary passed the invalid frame (${rule.summary}) on unchanged: ${receiverName} saw ${spec.rule}, so the endpoint's own checks still catch it.`,
      { rule: spec.rule, rfc: rule.rfc },
    );
  }

  // A Close the sender got that the far end never sent came from the intermediary.
  const closesFromFar = countCloses(receiver.sent);
  const closesToSender = sender.received.controls.filter((c) => c.opcode === Opcode.Close);
  const close = closesToSender[closesFromFar];
  if (close !== undefined) {
    const code = close.close?.code ?? null;
    const fitting =
      code === rule.code ? `, the code ${rule.code} this fault calls for` : code === null ? '' : ` (${rule.code} would name the fault)`;
    return info('invalid-rejected', dir, `The intermediary failed the connection with Close ${describeClose(close)}${fitting}.`, {
      rule: spec.rule,
      rfc: rule.rfc,
    });
  }
  if (sender.remoteEndAt !== null && (receiver.localEndAt === null || receiver.localEndAt > sender.remoteEndAt)) {
    return info('invalid-rejected', dir, 'The intermediary failed the connection by closing TCP without a Close frame.', {
      rule: spec.rule,
      rfc: rule.rfc,
    });
  }

  if (somethingArrivedInstead(spec, sender.sent, receiver.received)) {
    return warning(
      'invalid-repaired',
      dir,
      `The intermediary silently repaired the invalid frame (${rule.summary}): ${receiverName} got a valid frame instead, which hides the sender's bug.`,
      { rule: spec.rule, rfc: rule.rfc },
    );
  }
  return warning(
    'invalid-dropped',
    dir,
    `The intermediary silently dropped the invalid frame (${rule.summary}) and kept the connection open, which hides the sender's bug.`,
    { rule: spec.rule, rfc: rule.rfc },
  );
}

function countCloses(stream: ObservedStream): number {
  return stream.controls.filter((c) => c.opcode === Opcode.Close).length;
}

/**
 * Whether the receiver got something in place of the invalid frame: more data messages than the valid
 * ones sent, or a control frame of the invalid frame's kind.
 */
function somethingArrivedInstead(spec: InvalidSpec, sent: ObservedStream, arrived: ObservedStream): boolean {
  const validSent = new Set(
    sent.messages.filter((m) => m.complete && !sent.violations.some((v) => v.frame === m.firstFrame)).map((m) => m.sha256),
  );
  const unexplained = arrived.messages.filter((m) => !validSent.has(m.sha256));
  if (unexplained.length > 0) return true;
  const invalidControl = sent.controls.find((c) => sent.violations.some((v) => v.frame === c.frame && v.rule === spec.rule));
  if (!invalidControl) return false;
  const sameKind = arrived.controls.filter((c) => c.opcode === invalidControl.opcode);
  // The closing Close of the case is not a repaired one; a Close-kind fault has no closing Close after it.
  return sameKind.length > sent.controls.filter((c) => c.opcode === invalidControl.opcode && c !== invalidControl).length;
}
