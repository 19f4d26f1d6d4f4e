/**
 * Chaînes fixes en français : titres, libellés, phrases des comparaisons générées et messages d'erreur.
 */
import type { Labels } from '../types.js';

export const LABELS_FR: Labels = {
  meaning: 'Ce que cela signifie',
  whenSeen: 'Quand on le rencontre',
  resolve: 'Comment le résoudre',
  rulesProducing: (code) => `Règles de wsdiag qui produisent ${code}`,
  noRules: 'Aucune règle de wsdiag ne produit ce code.',
  profiles: 'Type de message par sous-protocole',
  keyDifferences: 'Différences clés',
  whichToUseWhen: 'Lequel utiliser, et quand',
  closeCode: 'code de fermeture',
  sentByLabel: 'envoyé par',
  typicalCauseLabel: 'cause typique',
  onWireLabel: 'sur le réseau',
  mayBeSent: 'peut être envoyé dans une trame Close',
  neverSent: 'ne doit jamais être envoyé dans une trame Close',
  colon: ' : ',
  semicolon: ' ; ',
  both: 'les deux',
  versus: 'face à',
  sender: {
    client: 'le client',
    server: 'le serveur',
    either: "l'une ou l'autre extrémité",
    nobody: 'personne (indiqué localement ou réservé)',
  },
  status: {
    standard: 'valide',
    'local-only': 'local uniquement',
    reserved: 'réservé',
    'registered-range': 'plage enregistrée',
    'private-range': 'plage privée',
    invalid: 'invalide',
  },
  severity: { error: 'erreur', warning: 'avertissement' },
  hintIf: (side) => (side === 'client' ? 'Côté client : ' : 'Côté serveur : '),
  messageType: { text: 'texte', binary: 'binaire' },
  seeAlso: (code) => `Voir aussi : wsdiag explain ${code}`,
  ruleUseWhen: (id, summary) => `${id} s'applique à ce cas : ${summary}.`,
  unknownTopic: (topic, suggestions, ruleIds) => {
    const guess = suggestions.length > 0 ? ` (vouliez-vous dire ${suggestions.map((s) => `« ${s} »`).join(' ou ')} ?)` : '';
    return `sujet inconnu « ${topic} »${guess} ; donnez un code de fermeture (un nombre entier comme 1002 ou 4001) ou un identifiant de règle : ${ruleIds.join(', ')}`;
  },
  outOfRange: (topic) =>
    `« ${topic} » n'est pas un code de fermeture : les codes de fermeture sont des nombres de 16 bits (0–65535) ; ceux qui sont définis vont de 1000 à 1015 et de 3000 à 4999`,
};
