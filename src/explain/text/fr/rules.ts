/**
 * Texte français pour chaque règle de wsdiag. RULES (src/rules/table.ts) est rédigé en anglais ; le
 * résumé et le conseil de correction sont donc traduits ici, en plus de l'explication.
 */
import type { Side } from '../../../events/index.js';
import type { RuleId } from '../../../rules/index.js';
import type { RuleText, RuleWording } from '../types.js';

const peerLib = (sender: Side): string => (sender === 'client' ? 'la bibliothèque cliente' : 'la bibliothèque serveur');
const sideName = (sender: Side): string => (sender === 'client' ? 'le client' : 'le serveur');

export const RULES_FR: Record<RuleId, RuleText> = {
  'reserved-opcode': {
    meaning:
      "Une trame utilise un opcode que la RFC 6455 garde pour l'avenir (0x3–0x7 pour les trames de données, 0xB–0xF pour les trames de contrôle). Aucune extension courante ne les définit : le récepteur n'a aucun moyen de lire la trame.",
    whenSeen:
      "Presque toujours un symptôme, pas une intention : le flux a perdu l'alignement des trames (une longueur fausse plus tôt fait passer des octets de charge pour un en-tête), un proxy a corrompu les octets, ou quelque chose qui n'est pas du WebSocket (une réponse HTTP, des enregistrements TLS) est lu comme des trames.",
    resolve: [
      'Regardez la trame juste avant celle-ci (wsdiag --frames) : une longueur fausse à cet endroit explique en général le désordre ici.',
    ],
    typicalCause: "un en-tête corrompu ou l'alignement des trames perdu",
  },
  'reserved-bits': {
    meaning:
      "Une trame a RSV1, RSV2 ou RSV3 à 1 alors qu'aucune extension négociée dans la poignée de main ne donne de sens à ce bit. Avec permessage-deflate, RSV1 marque la première trame d'un message compressé : il est donc aussi interdit sur les trames de continuation et de contrôle.",
    whenSeen:
      "Le cas classique est la compression : un proxy ou un répartiteur de charge négocie permessage-deflate avec un côté mais pas avec l'autre, ou un serveur compresse alors que le client ne l'a jamais proposé, et RSV1 arrive sans prévenir. Le module ws de Node dit « RSV1 must be clear » ; Chrome se plaint des bits réservés dans la console.",
    resolve: [
      "Comparez les en-têtes Sec-WebSocket-Extensions des deux côtés de chaque proxy ; l'événement open de wsdiag montre la valeur acceptée.",
    ],
    typicalCause: 'le bit de compression sans permessage-deflate négocié',
  },
  'unmasked-client-frame': {
    meaning:
      "Chaque trame envoyée par un client doit être masquée avec une clé de 4 octets ; celle-ci a le bit MASK à 0. Le masquage existe pour qu'une page malveillante ne puisse pas faire émettre au navigateur des octets qui trompent les caches et les proxys en chemin.",
    whenSeen:
      "Des clients écrits à la main, des appareils embarqués et des outils de test qui construisent eux-mêmes leurs trames, ou du code de tramage serveur réutilisé dans un client. Les navigateurs masquent toujours : un navigateur n'est jamais la source directe ; un proxy qui démasque le trafic peut l'être.",
    resolve: [],
    typicalCause: 'un client qui ne masque pas ses trames',
  },
  'masked-server-frame': {
    meaning:
      'Une trame du serveur a le bit MASK à 1. Les serveurs ne doivent jamais masquer, et un client doit couper la connexion quand il voit une trame masquée.',
    whenSeen:
      "Un serveur qui réutilise du code de tramage client, un « serveur » construit sur une bibliothèque cliente, ou un proxy qui retrame le trafic du serveur avec les réglages d'un client. Les navigateurs coupent la connexion et la page ne voit que 1006.",
    resolve: [],
    typicalCause: 'un serveur qui utilise un tramage de client',
  },
  'control-frame-fragmented': {
    meaning:
      'Une trame Close, Ping ou Pong a le bit FIN à 0 : elle prétend être fragmentée. Les trames de contrôle doivent tenir dans une seule trame ; seuls les messages de données peuvent être découpés.',
    whenSeen:
      "Un encodeur de trames qui applique la même logique de fragmentation à toutes les trames, ou qui ne met FIN qu'à partir d'un indicateur « dernier morceau » que les trames de contrôle ne reçoivent jamais.",
    resolve: [],
    typicalCause: 'un ping, un pong ou un close fragmenté',
  },
  'control-frame-too-long': {
    meaning:
      "Une trame Close, Ping ou Pong transporte plus de 125 octets. Les trames de contrôle restent petites pour pouvoir se glisser entre les fragments d'un gros message.",
    whenSeen:
      "Un ping utilisé pour transporter des données, ou une raison de Close de plus de 123 octets (le code prend 2 des 125). Le module ws de Node lève une exception si vous essayez d'en envoyer une ; d'autres piles l'envoient et l'autre côté coupe la connexion.",
    resolve: [],
    typicalCause: 'une raison de fermeture ou une charge de ping trop longue',
  },
  'non-minimal-length': {
    meaning:
      'La longueur de la charge est écrite sous une forme plus grande que nécessaire : la forme 16 bits pour une longueur inférieure à 126, ou la forme 64 bits pour une longueur inférieure à 65536. La RFC 6455 exige la forme la plus courte.',
    whenSeen:
      "Des encodeurs maison qui utilisent toujours la forme 16 ou 64 bits. Les récepteurs tolérants l'acceptent et les stricts (dont les navigateurs) coupent la connexion : le même client fonctionne avec un serveur et échoue avec un autre.",
    resolve: [],
    typicalCause: "un encodeur qui n'utilise pas la forme de longueur la plus courte",
  },
  'length-msb-set': {
    meaning:
      "Une longueur de charge sur 64 bits a son bit de poids fort à 1, ce que la RFC 6455 interdit. Aucune vraie trame n'est aussi longue : l'en-tête est corrompu, et wsdiag cesse de décoder ce sens car les limites des trames ne peuvent plus être retrouvées.",
    whenSeen:
      "Une lecture décalée après une longueur fausse plus tôt, des octets aléatoires ou chiffrés lus comme du WebSocket, ou une erreur de signe à l'écriture de la longueur.",
    resolve: [],
    typicalCause: 'un en-tête corrompu ou désaligné',
  },
  'unexpected-continuation': {
    meaning:
      "Une trame de continuation (opcode 0x0) est arrivée alors qu'aucun message fragmenté n'était en cours. Une continuation n'a de sens qu'après une trame texte ou binaire dont le bit FIN est à 0.",
    whenSeen:
      "Un encodeur qui marque le premier fragment comme une continuation, deux fils d'exécution qui écrivent sur la même socket sans verrou, ou un premier fragment perdu dans un proxy.",
    resolve: [],
    typicalCause: 'un fragment sans message à continuer',
  },
  'expected-continuation': {
    meaning:
      "Une nouvelle trame texte ou binaire a commencé alors que le message fragmenté précédent n'était pas terminé (son dernier fragment, avec FIN à 1, n'était pas arrivé). Les fragments d'un même message doivent se suivre, avec seulement des trames de contrôle entre eux.",
    whenSeen:
      "Plusieurs écrivains concurrents sur une socket (deux tâches asynchrones qui envoient en même temps via une bibliothèque qui fragmente), ou une API de flux dont le dernier fragment n'a jamais été envoyé.",
    resolve: [],
    typicalCause: 'des messages fragmentés entrelacés ou inachevés',
  },
  'invalid-close-payload': {
    meaning:
      "Une trame Close transporte exactement un octet. Le corps doit être vide ou commencer par un code de statut de 2 octets (suivi éventuellement d'une raison en UTF-8) : un seul octet ne peut pas être lu.",
    whenSeen: 'Du code qui écrit le code de fermeture sur un seul octet, ou qui tronque le corps en construisant la trame.',
    resolve: [],
    typicalCause: "un corps de Close d'un seul octet",
  },
  'invalid-close-code': {
    meaning:
      'Une trame Close porte un code de statut qui ne doit pas apparaître sur le réseau : inférieur à 1000, 1004, 1005, 1006, 1015, 1016–2999, ou 5000 et plus. 1012–1014 et 3000–4999 sont valides.',
    whenSeen:
      "Du code qui retransmet un code indiqué localement (1005 ou 1006) comme s'il avait été reçu, par exemple un proxy qui passe le code de fermeture d'un côté à l'autre ; un statut HTTP utilisé comme code de fermeture. Une bibliothèque ancienne peut aussi refuser à tort les codes valides 1012–1014.",
    resolve: ['Lancez wsdiag explain avec le code observé pour savoir à quoi il est réservé.'],
    typicalCause: 'un code local ou réservé envoyé sur le réseau',
  },
  'frame-after-close': {
    meaning:
      "Un côté a envoyé une trame de données après sa propre trame Close. Une fois qu'une extrémité a envoyé Close, elle ne doit plus envoyer de données ; l'autre côté peut ignorer ou refuser ce qui suit.",
    whenSeen:
      "Du code applicatif qui continue d'écrire après close() (un minuteur ou un envoi en file d'attente), ou une bibliothèque qui vide sa file d'envoi après le Close.",
    resolve: [],
    typicalCause: 'des données écrites après close()',
  },
  'invalid-utf8-text': {
    meaning:
      "Un message texte (opcode 0x1) contient des octets qui ne sont pas de l'UTF-8 valide. wsdiag le signale à la première trame où les octets sont certainement invalides : un caractère coupé entre deux fragments d'un même message est permis.",
    whenSeen:
      "Des données binaires envoyées avec l'opcode texte, des chaînes dans un autre encodage (Latin-1, Windows-1252), des chaînes coupées au milieu d'un caractère, ou un proxy qui réencode le texte. Les navigateurs et le module ws de Node ferment avec 1007.",
    resolve: [],
    typicalCause: "des octets qui ne sont pas de l'UTF-8 dans un message texte",
  },
  'invalid-utf8-close-reason': {
    meaning: "Le texte de la raison placé après le code de fermeture n'est pas de l'UTF-8 valide.",
    whenSeen:
      "Une raison coupée à 123 octets au milieu d'un caractère multi-octet (lettres accentuées, écritures non latines, émojis), ou une raison dans un ancien encodage.",
    resolve: [],
    typicalCause: "une raison de fermeture qui n'est pas de l'UTF-8",
  },
  'invalid-compressed-data': {
    meaning:
      'Un message marqué comme compressé (RSV1 sous permessage-deflate) ne se décompresse pas : les données DEFLATE sont corrompues ou ne correspondent pas aux paramètres négociés (reprise de contexte, taille de fenêtre).',
    whenSeen:
      "Un pair qui ignore client_no_context_takeover ou server_max_window_bits après les avoir acceptés, un proxy qui modifie les charges ou retire l'extension d'un seul côté, ou un compresseur réinitialisé entre deux messages sans que l'autre côté s'y attende.",
    resolve: [],
    typicalCause: 'des données compressées qui ne se décompressent pas',
  },
  'message-too-big': {
    meaning:
      "Les données applicatives d'un message, comptées sur tous ses fragments et après décompression, dépassent la limite donnée avec --max-message. Cette limite tient lieu de celle du récepteur : vous voyez le problème avant que le récepteur ne ferme avec 1009.",
    whenSeen:
      'De gros instantanés ou des fichiers envoyés en un seul message, des messages compressés qui gonflent beaucoup, ou un --max-message plus bas que la vraie limite du récepteur.',
    resolve: [],
    typicalCause: 'un message plus grand que --max-message',
  },
  'unsupported-text': {
    meaning: "Un message texte a été envoyé à une extrémité qui n'accepte que des messages binaires : le récepteur fermerait avec 1003.",
    whenSeen:
      'Du JSON ou des chaînes envoyés à une extrémité de protocole binaire (MQTT, wamp.2.msgpack), ou une bibliothèque cliente qui transforme tout en texte.',
    resolve: [],
    typicalCause: "du texte envoyé à une extrémité qui n'accepte que le binaire",
  },
  'unsupported-binary': {
    meaning: "Un message binaire a été envoyé à une extrémité qui n'accepte que des messages texte : le récepteur fermerait avec 1003.",
    whenSeen:
      "Un Buffer, un Blob ou un ArrayBuffer envoyé là où l'extrémité attend du texte JSON (GraphQL sur WebSocket, OCPP-J, XMPP), souvent parce qu'un sérialiseur a renvoyé des octets au lieu d'une chaîne.",
    resolve: [],
    typicalCause: "du binaire envoyé à une extrémité qui n'accepte que le texte",
  },
  'handshake-invalid-request': {
    meaning:
      "La requête HTTP de mise à niveau n'est pas une poignée de main d'ouverture WebSocket valide : ce n'est pas un GET, ou « Upgrade: websocket », « Connection: Upgrade », une Sec-WebSocket-Key valide ou « Sec-WebSocket-Version: 13 » manque ou est faux.",
    whenSeen:
      'Le plus souvent un proxy inverse qui supprime les en-têtes saut par saut Upgrade et Connection (nginx sans proxy_set_header pour les deux), ou un client écrit à la main. Les serveurs répondent en général 400 ou 426, et les navigateurs affichent 1006.',
    resolve: [],
    typicalCause: 'une requête de mise à niveau mal formée',
  },
  'handshake-bad-accept': {
    meaning:
      "Le serveur a répondu 101, mais son Sec-WebSocket-Accept n'est pas la valeur dérivée de la Sec-WebSocket-Key du client : le client doit refuser la connexion.",
    whenSeen:
      'Un proxy qui réécrit ou régénère Sec-WebSocket-Key, un serveur qui hache la clé avec des espaces parasites ou le mauvais GUID, ou une réponse mise en cache rejouée pour une autre requête.',
    resolve: [],
    typicalCause: 'un Sec-WebSocket-Accept faux',
  },
  'handshake-unrequested-subprotocol': {
    meaning:
      "Le Sec-WebSocket-Protocol du serveur nomme un sous-protocole que le client n'a pas proposé. Un client doit couper une telle connexion.",
    whenSeen:
      'Des serveurs qui répondent toujours avec leur sous-protocole préféré, ou un proxy qui retire la proposition du client. Les navigateurs coupent la connexion et la page voit 1006.',
    resolve: [],
    typicalCause: "le serveur a choisi un sous-protocole que personne n'a proposé",
  },
  'handshake-unrequested-extension': {
    meaning:
      "Le serveur a accepté, dans Sec-WebSocket-Extensions, une extension ou un paramètre d'extension que le client n'a pas proposé.",
    whenSeen:
      "Des serveurs qui imposent permessage-deflate, ou un proxy qui retire la proposition d'extension du client mais laisse passer la réponse du serveur : les deux côtés sont en désaccord sur la compression dès la première trame.",
    resolve: [],
    typicalCause: "le serveur a accepté une extension que personne n'a proposée",
  },
  'truncated-frame': {
    meaning:
      "La connexion s'est terminée (un FIN, une réinitialisation) au milieu d'une trame, voire de son en-tête : l'en-tête annonçait plus de charge qu'il n'en est arrivé. Aucune trame Close ne peut suivre une trame coupée : les deux extrémités indiquent donc 1006 (fermeture anormale), et le récepteur ne reçoit jamais le message auquel la trame appartenait. wsdiag nomme la trame, ce qui en est arrivé, et qui a terminé la connexion et comment ; l'avertissement met en cause le côté qui a terminé la connexion (un enregistrement, avec `wsdiag analyze`, ne permet pas de savoir qui).",
    whenSeen:
      "Un processus qui a planté ou a été tué pendant l'écriture d'un gros message ; un proxy ou un répartiteur de charge qui coupe les connexions à une limite de taille ou d'inactivité ; un client qui appelle socket.destroy() ou se termine au lieu d'appeler close() ; une capture arrêtée avant la fin du flux (avec `wsdiag analyze`, où c'est sans conséquence).",
    resolve: [
      "Regardez qui a terminé la connexion et comment (l'événement `close` le dit aussi) : une réinitialisation venant d'un serveur signifie en général un plantage ou une limite dans un proxy placé devant lui.",
      'Terminez les connexions par la poignée de main de fermeture : envoyez un Close, attendez la réponse, puis fermez la socket.',
    ],
    typicalCause: "une connexion coupée au milieu d'une trame",
  },
  'ping-unanswered': {
    meaning:
      "Un Ping n'a reçu aucun Pong en réponse dans le délai --pong-timeout (30 s sauf indication contraire), ou restait sans réponse à la fin de la connexion. La RFC 6455 §5.5.2 impose de répondre à un Ping par un Pong « dès que possible » ; le §5.5.3 permet de ne répondre qu'au Ping le plus récent, si bien que tout Pong répond à tous les précédents, et un Pong que personne n'a demandé est un battement de cœur valide. L'avertissement suit le Ping (sa direction est celle du Ping) mais met en cause le côté qui devait le Pong. Les Pings envoyés une fois un Close en route ne sont pas attendus.",
    whenSeen:
      "Des keepalives qui expirent : websockets en Python ferme avec 1011 « keepalive ping timeout », d'autres piles coupent simplement la connexion (1006). Causes typiques : un client dont la boucle d'événements est bloquée (un long calcul, un débogueur en pause, un onglet de navigateur en arrière-plan), une extrémité écrite à la main qui ignore les trames de contrôle, ou un proxy qui perd les pongs. wsdiag relie le Close de keepalive du côté qui a envoyé le Ping (ou la fin en 1006) au Ping resté sans réponse.",
    resolve: [
      "Vérifiez si le Pong a été envoyé (les journaux de l'extrémité) ou perdu en route (wsdiag probe vérifie si un proxy perd des pongs).",
    ],
    typicalCause: 'un Ping resté sans réponse (un keepalive expiré)',
  },
};

export const RULE_WORDING_FR: Record<RuleId, RuleWording> = {
  'reserved-opcode': {
    summary: 'opcode 0x3–0x7 ou 0xB–0xF (réservé)',
    hint: (s) =>
      `N'envoyez que les opcodes 0x0–0x2 et 0x8–0xA ; un opcode réservé signifie en général que ${peerLib(s)} ou un proxy devant elle a écrit un en-tête corrompu ou perdu l'alignement des trames.`,
  },
  'reserved-bits': {
    summary: 'RSV1/2/3 à 1 sans extension négociée qui les définisse',
    hint: (s) =>
      `Laissez les bits RSV à 0 sauf si une extension négociée dans la poignée de main les définit ; avec permessage-deflate, ne mettez RSV1 que sur la première trame d'un message compressé (vérifiez que ${peerLib(s)} et chaque proxy sont d'accord sur les extensions négociées).`,
  },
  'unmasked-client-frame': {
    summary: 'une trame du client sans masque',
    hint: "Les clients doivent masquer chaque trame avec une nouvelle clé aléatoire de 4 octets ; utilisez une bibliothèque cliente WebSocket plutôt que des trames écrites à la main, et vérifiez qu'aucun proxy ne retire le masque.",
  },
  'masked-server-frame': {
    summary: 'une trame du serveur avec un masque',
    hint: 'Les serveurs ne doivent jamais masquer leurs trames ; le serveur utilise probablement une routine de tramage côté client (ou un proxy remasque le trafic du serveur).',
  },
  'control-frame-fragmented': {
    summary: 'une trame de contrôle (close, ping, pong) avec FIN à 0',
    hint: (s) => `Envoyez close, ping et pong en une seule trame avec FIN à 1 ; ${peerLib(s)} fragmente une trame de contrôle.`,
  },
  'control-frame-too-long': {
    summary: 'une charge de trame de contrôle de plus de 125 octets',
    hint: "Gardez les charges de ping, pong et close à 125 octets au plus (raisons de fermeture : 123 octets d'UTF-8 au plus) ; envoyez les données plus grandes dans un message de données.",
  },
  'non-minimal-length': {
    summary: "une longueur de charge encodée sur plus d'octets que nécessaire",
    hint: (s) =>
      `Encodez les longueurs 0–125 dans le champ de 7 bits, 126–65535 sous la forme 16 bits et seulement les plus grandes sous la forme 64 bits ; l'encodeur de trames de ${peerLib(s)} est fautif.`,
  },
  'length-msb-set': {
    summary: 'une longueur de charge sur 64 bits avec le bit de poids fort à 1',
    hint: "Le bit de poids fort d'une longueur sur 64 bits doit être à 0 ; un bit à 1 signifie en général un en-tête corrompu ou désaligné : regardez les octets avant cette trame.",
  },
  'unexpected-continuation': {
    summary: 'une trame de continuation sans message fragmenté en cours',
    hint: (s) =>
      `Commencez chaque message par une trame texte ou binaire et n'utilisez les trames de continuation (opcode 0x0) qu'après elle ; ${peerLib(s)} a perdu le fil de la fragmentation ou une trame s'est perdue en route.`,
  },
  'expected-continuation': {
    summary: "une nouvelle trame texte ou binaire alors qu'un message fragmenté n'est pas terminé",
    hint: (s) =>
      `Terminez un message fragmenté (trames de continuation, la dernière avec FIN à 1) avant d'en commencer un autre ; ${peerLib(s)} entrelace les messages ou une trame s'est perdue en route.`,
  },
  'invalid-close-payload': {
    summary: 'une trame Close dont le corps fait exactement un octet',
    hint: 'Un corps de Close est vide ou commence par un code de statut de 2 octets ; appelez close() sans argument ou avec un code valide.',
  },
  'invalid-close-code': {
    summary: 'un code de fermeture qui ne doit pas être envoyé sur le réseau',
    hint: "Envoyez 1000–1003, 1007–1014 ou un code applicatif de 3000–4999 ; 1005, 1006 et 1015 ne servent qu'aux rapports locaux, et 1004 ainsi que 1016–2999 sont réservés.",
  },
  'frame-after-close': {
    summary: 'une trame de données envoyée après le Close du même côté',
    hint: (s) =>
      `Après avoir envoyé un Close, ${sideName(s)} ne doit plus envoyer de trames de données ; arrêtez d'écrire dès l'appel à close().`,
  },
  'invalid-utf8-text': {
    summary: "un message texte qui n'est pas de l'UTF-8 valide",
    hint: "Envoyez les messages texte en UTF-8 valide ; envoyez les octets quelconques dans un message binaire (opcode 0x2), et ne coupez jamais une chaîne au milieu d'un caractère, sauf entre les fragments d'un même message.",
  },
  'invalid-utf8-close-reason': {
    summary: "une raison de Close qui n'est pas de l'UTF-8 valide",
    hint: 'Encodez la raison de fermeture en UTF-8 et tronquez-la entre deux caractères (123 octets au plus).',
  },
  'invalid-compressed-data': {
    summary: 'une charge permessage-deflate qui ne se décompresse pas',
    hint: (s) =>
      `${capitalise(peerLib(s))} doit compresser en DEFLATE brut et respecter les paramètres négociés de reprise de contexte et de taille de fenêtre ; un proxy qui réécrit les charges ou l'en-tête d'extension casse cela aussi.`,
  },
  'message-too-big': {
    summary: 'un message plus grand que la limite configurée (--max-message)',
    hint: "Découpez les données en messages plus petits, ou augmentez la limite de l'extrémité réceptrice (et --max-message de wsdiag) si cette taille est voulue.",
  },
  'unsupported-text': {
    summary: "un message texte envoyé à une extrémité qui n'accepte que le binaire",
    hint: 'Envoyez ces données dans une trame binaire (opcode 0x2).',
  },
  'unsupported-binary': {
    summary: "un message binaire envoyé à une extrémité qui n'accepte que le texte",
    hint: 'Envoyez ces données dans une trame texte (opcode 0x1).',
  },
  'handshake-invalid-request': {
    summary: 'une requête de mise à niveau où Upgrade, Connection, Sec-WebSocket-Key ou Sec-WebSocket-Version manque ou est mal utilisé',
    hint: "Envoyez un GET avec « Upgrade: websocket », « Connection: Upgrade », une Sec-WebSocket-Key de 16 octets en base64 et « Sec-WebSocket-Version: 13 » ; vérifiez qu'aucun proxy ne supprime les en-têtes saut par saut Upgrade.",
  },
  'handshake-bad-accept': {
    summary: 'une réponse 101 dont le Sec-WebSocket-Accept ne correspond pas à la clé',
    hint: 'Calculez Sec-WebSocket-Accept comme base64(SHA-1(clé + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) à partir de la requête réellement reçue ; un proxy qui réécrit Sec-WebSocket-Key provoque cela aussi.',
  },
  'handshake-unrequested-subprotocol': {
    summary: "le serveur a choisi un sous-protocole que le client n'a pas proposé",
    hint: "Ne répondez à Sec-WebSocket-Protocol qu'avec l'une des valeurs proposées par le client, ou omettez l'en-tête.",
  },
  'handshake-unrequested-extension': {
    summary: "le serveur a accepté une extension ou un paramètre que le client n'a pas proposé",
    hint: "N'acceptez que les extensions (et paramètres) proposées par le client dans Sec-WebSocket-Extensions ; un proxy qui retire la proposition mais pas la réponse provoque cela aussi.",
  },
  'truncated-frame': {
    summary: 'une trame (ou un en-tête de trame) coupée par la fin de la connexion',
    hint: (s) =>
      `Envoyez chaque trame en entier et terminez par la poignée de main de fermeture (envoyer un Close, attendre la réponse) plutôt que par un FIN ou une réinitialisation ; une trame coupée signifie en général que ${sideName(s)} a planté ou a été tué, ou qu'un proxy ou un répartiteur de charge entre lui et wsdiag a coupé la connexion (limites d'inactivité ou de taille).`,
  },
  'ping-unanswered': {
    summary: 'un Ping resté sans Pong en réponse (au-delà de --pong-timeout, ou à la fin de la connexion)',
    hint: (s) =>
      `${capitalise(sideName(s))} doit répondre à chaque Ping par un Pong portant la même charge, dès que possible ; utilisez une bibliothèque qui répond elle-même aux pings, évitez de bloquer longtemps sa boucle d'événements, et vérifiez qu'aucun proxy ne perd les pongs.`,
  },
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
