/**
 * Comparaisons rédigées en français pour les paires les plus souvent confondues. Les autres paires
 * reçoivent des différences générées à partir des données (code, émetteur, cause typique).
 */
import type { PairEntry } from '../types.js';

export const PAIRS_FR: PairEntry[] = [
  [
    '1002',
    '1003',
    {
      differences: [
        "1002 porte sur la trame : les octets enfreignent la RFC 6455 et le flux ne peut plus être lu sans risque. 1003 porte sur le contenu : la trame était correcte, mais elle transportait du texte là où du binaire était attendu, ou l'inverse.",
        "1002 vient en général d'une bibliothèque ou d'un proxy (le tramage est leur travail) ; 1003 vient de l'application, qui a choisi le mauvais type de message.",
        'Dans une situation 1002, le récepteur ne peut plus se fier à rien de ce qui suit dans le flux ; avant un 1003, il aurait pu continuer à lire, il refuse simplement ce type.',
      ],
      whichWhen: [
        'Envoyez 1002 quand la lecture échoue : opcode ou bit réservé, mauvais masque, suite de fragments cassée.',
        "Envoyez 1003 quand la lecture réussit et que le type de message (texte ou binaire) n'est pas géré par votre extrémité.",
      ],
    },
  ],
  [
    '1002',
    '1007',
    {
      differences: [
        '1002 : la structure de la trame est fausse. 1007 : la structure est correcte, mais la charge ne correspond pas au type de message (UTF-8 invalide dans un message texte, données compressées qui ne se décompressent pas).',
        "1002 se voit dans les octets d'en-tête ; 1007 ne se voit qu'en lisant et en décodant la charge.",
      ],
      whichWhen: [
        "Envoyez 1002 pour les fautes d'en-tête et d'enchaînement : opcode, bits RSV, masque, longueur, fragmentation, corps de Close.",
        "Envoyez 1007 quand un message texte ou une raison de Close correctement tramé n'est pas de l'UTF-8 valide, ou qu'une charge compressée est corrompue.",
      ],
    },
  ],
  [
    '1003',
    '1007',
    {
      differences: [
        "1003 : le TYPE de données n'est pas accepté, par exemple un message texte vers une extrémité qui n'accepte que le binaire, ou du binaire vers une extrémité qui n'accepte que le texte. Les octets eux-mêmes peuvent être parfaitement valides.",
        "1007 : le type est accepté mais les données ne sont pas cohérentes avec lui, typiquement un message texte dont les octets ne sont pas de l'UTF-8 valide.",
        "1003 est un choix de l'application réceptrice ; 1007 applique une règle du protocole que tout récepteur impose au texte.",
      ],
      whichWhen: [
        'Envoyez 1003 quand vous ne gérez pas du tout ce type de message.',
        "Envoyez 1007 quand vous gérez ce type mais que le contenu de ce message n'est pas valide pour lui.",
      ],
    },
  ],
  [
    '1007',
    '1009',
    {
      differences: [
        '1007 : le contenu est invalide pour son type (UTF-8 incorrect, données compressées corrompues), quelle que soit sa taille. 1009 : le contenu peut être parfaitement valide, il y en a simplement trop.',
        '1009 dépend de la limite configurée chez le récepteur : un même message peut passer chez une extrémité et échouer chez une autre ; un message 1007 échoue partout.',
      ],
      whichWhen: [
        'Envoyez 1007 quand les octets sont faux.',
        'Envoyez 1009 quand les octets sont corrects mais dépassent votre limite de taille.',
      ],
    },
  ],
  [
    '1000',
    '1001',
    {
      differences: [
        "1000 : le travail est fait et la connexion s'est terminée comme prévu. 1001 : l'extrémité elle-même s'en va (arrêt, navigation), peut-être au milieu du travail.",
        "Après 1000, il n'y a en général aucune raison de se reconnecter ; après un 1001 venant d'un serveur, un client se reconnecte normalement, souvent à une autre instance.",
      ],
      whichWhen: [
        "Envoyez 1000 quand l'objectif de la session est atteint.",
        "Envoyez 1001 quand vous fermez parce que vous partez : un serveur qui s'arrête, une page qu'on décharge.",
      ],
    },
  ],
  [
    '1002',
    '1006',
    {
      differences: [
        "1002 est arrivé dans une trame Close : une extrémité a vu une erreur de protocole et l'a dit. 1006 n'est jamais sur le réseau : la connexion s'est terminée sans aucune trame Close, et c'est votre API qui a fourni le code.",
        "1002 dit ce qui n'allait pas (une faute de protocole ; wsdiag nomme la règle). 1006 dit seulement que la ligne est morte.",
        "Un navigateur qui coupe une connexion pour une erreur de protocole montre 1006 à la page, alors qu'une situation 1002 en est la cause : regardez la console, ou placez wsdiag sur le chemin.",
      ],
      whichWhen: [
        'Envoyez 1002 quand vous détectez une violation du protocole et fermez volontairement.',
        "N'envoyez jamais 1006. Quand vous le voyez, cherchez ce qui a coupé la connexion TCP (délais d'inactivité, plantages, proxys), ou une erreur de protocole cachée dans la console du navigateur.",
      ],
    },
  ],
  [
    '1002',
    '1011',
    {
      differences: [
        "1002 met en cause l'autre côté : ses octets ont enfreint le protocole. 1011 met en cause l'extrémité qui l'envoie : elle a subi une erreur interne, et les données de l'autre côté peuvent être correctes.",
        "Après un 1002, corrigez l'encodeur ou le proxy de l'autre côté ; après un 1011, lisez les journaux du côté qui a fermé.",
      ],
      whichWhen: [
        "Envoyez 1002 quand l'autre côté a envoyé des trames WebSocket invalides.",
        'Envoyez 1011 quand votre propre code a échoué (une exception, une dépendance perdue) en traitant un trafic valide.',
      ],
    },
  ],
  [
    '1003',
    '1009',
    {
      differences: [
        '1003 refuse un message pour son type (texte ou binaire) ; 1009 le refuse pour sa taille.',
        "Changer l'opcode corrige un 1003 ; découper le message ou relever une limite corrige un 1009.",
      ],
      whichWhen: [
        "Envoyez 1003 quand le type de message n'est pas l'un de ceux que vous gérez, quelle que soit sa taille.",
        'Envoyez 1009 quand le type convient mais que le message est trop grand.',
      ],
    },
  ],
  [
    '1003',
    '1008',
    {
      differences: [
        "1003 est précis : le type de message (texte ou binaire) n'est pas accepté. 1008 est le refus générique pour toute autre politique : authentification, limites de débit, règles de contenu.",
        '1008 peut volontairement cacher la raison ; 1003 veut toujours dire la même chose.',
      ],
      whichWhen: [
        'Envoyez 1003 pour un mauvais type de message.',
        "Envoyez 1008 pour tout autre refus de politique qui n'a pas de code précis.",
      ],
    },
  ],
  [
    '1008',
    '1009',
    {
      differences: [
        "1009 est précis : le message est trop grand. 1008 est générique et dit seulement qu'une politique a été enfreinte.",
        "Un client peut réagir seul à un 1009 (envoyer des messages plus petits) ; un 1008 ne se comprend qu'avec la raison ou les journaux du serveur.",
      ],
      whichWhen: [
        'Envoyez 1009 quand la taille est le problème.',
        'Envoyez 1008 quand aucun code précis ne convient, ou quand vous ne voulez pas dire pourquoi.',
      ],
    },
  ],
  [
    '1005',
    '1006',
    {
      differences: [
        "Aucun des deux n'est jamais envoyé ; tous deux vous sont indiqués par votre API. 1005 : une trame Close est bien arrivée, mais sans code de statut : une fermeture propre sans raison. 1006 : aucune trame Close n'est arrivée, la connexion a été coupée.",
        "1005 ne demande aucune correction ; 1006 demande d'examiner les délais d'inactivité, les plantages et les proxys.",
      ],
      whichWhen: [
        "Attendez-vous à 1005 quand l'autre côté appelle close() sans code.",
        'Attendez-vous à 1006 quand la connexion TCP se termine sans poignée de main de fermeture.',
      ],
    },
  ],
  [
    '1000',
    '1005',
    {
      differences: [
        "1000 a été écrit dans la trame Close par l'autre côté. 1005 signifie que la trame Close était vide : votre API n'avait aucun code à indiquer.",
        'Les deux sont des fermetures propres ; seul 1000 dit explicitement « normal ».',
      ],
      whichWhen: [
        "Envoyez 1000 quand vous voulez que l'autre côté sache que la fermeture est normale.",
        "N'envoyez jamais 1005 lui-même : un Close vide le produit de l'autre côté.",
      ],
    },
  ],
  [
    '1012',
    '1013',
    {
      differences: [
        '1012 : le serveur redémarre et sera bientôt de retour. 1013 : le serveur fonctionne mais ne peut pas prendre cette connexion maintenant (surcharge, limites).',
        "Après 1012, une reconnexion rapide avec un peu d'aléa convient ; après 1013, attendez plus longtemps, car réessayer tout de suite aggrave la surcharge.",
      ],
      whichWhen: [
        'Envoyez 1012 pendant un redémarrage ou un déploiement.',
        "Envoyez 1013 pour délester la charge ou refuser à cause d'une limite temporaire.",
      ],
    },
  ],
  [
    'registered-3000-3999',
    'private-4000-4999',
    {
      differences: [
        "Les codes 3000–3999 sont enregistrés à l'IANA : leur sens est public et partagé par tous ceux qui utilisent la bibliothèque. Les codes 4000–4999 sont privés : seule l'application qui les envoie sait ce qu'ils veulent dire.",
        "Les deux plages sont valides sur le réseau et permises dans le close() d'un navigateur.",
      ],
      whichWhen: [
        'Utilisez 3000–3999 pour une bibliothèque ou un framework employé par de nombreuses applications, après avoir enregistré le code.',
        'Utilisez 4000–4999 pour les codes de votre propre application, documentés pour ses clients.',
      ],
    },
  ],
  [
    'unsupported-text',
    'unsupported-binary',
    {
      differences: [
        "unsupported-text : un message texte est allé à une extrémité qui n'accepte que le binaire. unsupported-binary : l'inverse.",
        "Les deux mènent à 1003 ; la correction consiste à envoyer l'autre opcode, ou à convertir les données avant l'envoi.",
      ],
      whichWhen: [
        'Regardez unsupported-text quand un protocole binaire (MQTT, wamp.2.msgpack) reçoit des chaînes.',
        'Regardez unsupported-binary quand un protocole texte (JSON, GraphQL sur WebSocket, OCPP-J) reçoit des octets.',
      ],
    },
  ],
  [
    'unmasked-client-frame',
    'masked-server-frame',
    {
      differences: [
        "unmasked-client-frame : une trame du client sans masque. masked-server-frame : une trame du serveur avec un masque. Le masquage est obligatoire dans un sens et interdit dans l'autre.",
        "Les deux signifient en général que du code de tramage écrit pour un rôle est utilisé dans l'autre.",
      ],
      whichWhen: [
        'Regardez unmasked-client-frame quand un client maison est refusé juste après la poignée de main.',
        'Regardez masked-server-frame quand les navigateurs coupent la connexion au premier message du serveur.',
      ],
    },
  ],
];
