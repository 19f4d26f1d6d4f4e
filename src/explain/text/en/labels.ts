/**
 * English fixed strings: headings, fact labels, generated comparison phrases and error messages.
 */
import type { Labels } from '../types.js';

export const LABELS_EN: Labels = {
  meaning: 'What it means',
  whenSeen: 'When you see it',
  resolve: 'How to resolve',
  rulesProducing: (code) => `wsdiag rules that produce ${code}`,
  noRules: 'No wsdiag rule produces this code.',
  profiles: 'Message type by subprotocol',
  keyDifferences: 'Key differences',
  whichToUseWhen: 'Which to use when',
  closeCode: 'close code',
  sentByLabel: 'sent by',
  typicalCauseLabel: 'typical cause',
  onWireLabel: 'on the wire',
  mayBeSent: 'may be sent in a Close frame',
  neverSent: 'must never be sent in a Close frame',
  colon: ': ',
  semicolon: '; ',
  both: 'both',
  versus: 'vs',
  sender: {
    client: 'the client',
    server: 'the server',
    either: 'either endpoint',
    nobody: 'nobody (reported locally or reserved)',
  },
  status: {
    standard: 'valid',
    'local-only': 'local only',
    reserved: 'reserved',
    'registered-range': 'registered range',
    'private-range': 'private range',
    invalid: 'invalid',
  },
  severity: { error: 'error', warning: 'warning' },
  hintIf: (side) => `If the ${side} sent it: `,
  messageType: { text: 'text', binary: 'binary' },
  seeAlso: (code) => `See also: wsdiag explain ${code}`,
  ruleUseWhen: (id, summary) => `${id} applies to ${summary}.`,
  unknownTopic: (topic, suggestions, ruleIds) => {
    const guess = suggestions.length > 0 ? ` (did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?)` : '';
    return `unknown topic "${topic}"${guess}; give a close code (a whole number such as 1002 or 4001) or a rule id: ${ruleIds.join(', ')}`;
  },
  outOfRange: (topic) =>
    `"${topic}" is not a close code: close codes are 16-bit numbers (0–65535); the defined ones are 1000–1015 and 3000–4999`,
};
