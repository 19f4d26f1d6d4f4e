/**
 * Texte français pour chaque code de fermeture et chaque plage : ce que le code veut dire, d'où il vient
 * le plus souvent et comment régler le problème.
 */
import type { CodeKey } from '../../codes.js';
import type { CodeText } from '../types.js';

export const CODES_FR: Record<CodeKey, CodeText> = {
  1000: {
    name: 'Fermeture normale',
    meaning: "L'extrémité a fermé volontairement et tout s'est bien passé : la connexion a rempli son rôle.",
    whenSeen:
      "Après un appel à close(1000) : une page qui ferme sa socket quand une vue disparaît, un serveur qui termine une tâche ou déconnecte un utilisateur, ws.close(1000) dans Node. Les navigateurs ne laissent les scripts envoyer que 1000 et 3000–4999 : 1000 est donc ce qu'envoie une page qui ferme exprès avec un code.",
    resolve: [
      'Rien à corriger. Si la fermeture est inattendue, cherchez le chemin de code qui appelle close(1000) : une déconnexion, un composant démonté, un serveur qui met fin volontairement à une session inactive.',
      "Si la fermeture doit en dire plus à l'autre côté, envoyez plutôt un code applicatif de 4000–4999 avec une raison.",
    ],
    typicalCause: 'une fermeture volontaire et réussie',
    useWhen: "Envoyez 1000 quand l'échange est terminé et que rien ne s'est mal passé.",
  },
  1001: {
    name: 'Départ',
    meaning:
      "L'extrémité s'en va : un serveur s'arrête, ou une page de navigateur est fermée ou quittée. Cela ne dit rien de mal sur les données échangées.",
    whenSeen:
      "Les navigateurs envoient eux-mêmes 1001 quand la page propriétaire de la socket est déchargée (navigation, rechargement, onglet fermé). Les serveurs l'envoient lors d'un arrêt propre ou d'un redéploiement, souvent sur SIGTERM. wsdiag --enforce envoie aussi 1001 au côté innocent quand il coupe une connexion parce que l'autre côté a enfreint une règle.",
    resolve: [
      "Venant d'un navigateur : normal lors d'une navigation ; vérifiez seulement que le serveur ne le journalise pas comme une panne.",
      "Venant d'un serveur : reconnectez-vous après un délai aléatoire, pour que des milliers de clients ne reviennent pas tous au même instant après un déploiement.",
      "Si un serveur envoie 1001 alors qu'il ne s'arrête pas, vérifiez si un répartiteur de charge est en train de vider cette instance.",
    ],
    typicalCause: "le déchargement d'une page ou l'arrêt d'un serveur",
    useWhen: "Envoyez 1001 quand c'est cette extrémité elle-même qui s'en va (arrêt, navigation), et non à cause de ce qu'a fait l'autre.",
  },
  1002: {
    name: 'Erreur de protocole',
    meaning:
      "L'extrémité a reçu des octets qui enfreignent les règles de tramage de la RFC 6455 : un opcode ou un bit RSV réservé, un mauvais bit de masque, une trame de contrôle fragmentée ou trop longue, une suite de fragments cassée, un corps de Close invalide, ou une poignée de main qui ne tient pas. On ne peut plus faire confiance au flux, donc la connexion est fermée.",
    whenSeen:
      "Le module ws de Node le signale avec des messages comme « Invalid WebSocket frame: RSV1 must be clear » ou « MASK must be set ». Les navigateurs coupent la connexion et affichent la raison dans la console, mais l'événement close de la page indique en général 1006, pas 1002. Coupables fréquents : un encodeur de trames écrit à la main ; un proxy ou un répartiteur de charge qui négocie permessage-deflate différemment avec chaque côté, si bien que RSV1 arrive là où aucune compression n'a été convenue ; un flux d'octets désaligné après une longueur fausse ; un serveur qui masque ses trames.",
    resolve: [
      'Placez wsdiag sur le chemin : chaque violation nomme la règle (reserved-bits, unmasked-client-frame, …), le sens et la position de la trame, ce qui indique quel côté a écrit quelle trame fautive.',
      "Une responsabilité « client » ou « server » désigne ce côté, ou un proxy entre lui et wsdiag : corrigez cet encodeur ou ce proxy, pas le récepteur qui s'est plaint.",
      'Préférez une bibliothèque WebSocket maintenue à des trames construites à la main.',
    ],
    typicalCause: 'un tramage mal formé ou une poignée de main incorrecte',
    useWhen: 'Envoyez 1002 quand les octets eux-mêmes enfreignent la RFC 6455 et que vous ne pouvez plus lire la suite du flux.',
  },
  1003: {
    name: 'Données non prises en charge',
    meaning:
      "Le message était bien formé, mais son type de données n'est pas accepté par l'extrémité : un message texte vers une extrémité qui ne gère que le binaire, ou un message binaire vers une extrémité qui ne gère que le texte. Le tramage est correct ; c'est le choix du type de message qui ne l'est pas.",
    whenSeen:
      'Le BinaryWebSocketHandler de Spring ferme avec 1003 quand il reçoit du texte, et TextWebSocketHandler quand il reçoit du binaire. Les extrémités qui parlent un sous-protocole à type fixe font de même (MQTT et wamp.2.msgpack sont binaires ; XMPP et wamp.2.json sont en texte). Déclencheur typique : un client qui envoie une chaîne JSON là où le serveur attend des octets, ou un Buffer là où il attend une chaîne (le module ws de Node envoie un Buffer en binaire et une chaîne en texte, sauf si vous passez { binary }).',
    resolve: [
      "Vérifiez quel type de message l'extrémité et son sous-protocole attendent (le README contient un tableau des sous-protocoles courants : MQTT binaire, XMPP texte, wamp.2.json texte, wamp.2.msgpack binaire ; OCPP-J et GraphQL sur WebSocket transportent du JSON mais leurs spécifications ne fixent pas le type de trame) et envoyez ce type : opcode 0x1 pour le texte, 0x2 pour le binaire.",
      'Dans un navigateur, envoyez une chaîne pour du texte et un ArrayBuffer, un Blob ou un tableau typé pour du binaire.',
      "Quand wsdiag sait quel type l'extrémité accepte, il signale unsupported-text ou unsupported-binary sur le message exact.",
    ],
    typicalCause: "du texte envoyé là où le binaire est attendu, ou l'inverse",
    useWhen: 'Envoyez 1003 quand un message bien formé a un type de données (texte ou binaire) que cette extrémité ne gère pas.',
  },
  1004: {
    name: 'Réservé',
    meaning:
      "Réservé par la RFC 6455, sans signification attribuée. Aucune extrémité ne doit l'envoyer ; un récepteur traite un Close qui le porte comme une erreur de protocole.",
    whenSeen:
      'Presque uniquement du code qui a choisi un code de fermeture à la main, par exemple en comptant à partir de 1000. Le module ws de Node lève une exception si vous appelez close(1004), et les navigateurs le refusent dans close() avec une InvalidAccessError.',
    resolve: [
      'Choisissez un vrai code : 1000 pour une fin normale, 1008 pour un refus de politique, ou un code de 4000–4999 pour une signification à vous.',
      'wsdiag signale un 1004 sur le réseau comme invalid-close-code.',
    ],
    typicalCause: 'un code de fermeture choisi à la main',
    useWhen: "N'envoyez jamais 1004.",
  },
  1005: {
    name: 'Aucun statut reçu',
    meaning:
      "Personne n'envoie ce code. Votre API indique 1005 quand la trame Close de l'autre côté avait un corps vide : il n'y avait donc aucun code à transmettre. Il ne doit jamais figurer dans une trame Close.",
    whenSeen:
      "L'événement close d'un navigateur indique 1005 quand le serveur a fermé sans code ; un serveur voit 1005 quand une page appelle ws.close() sans argument, car le navigateur envoie alors une trame Close vide. Le module ws de Node fait de même pour close() sans code.",
    resolve: [
      "En général sans gravité : l'autre côté a fermé proprement sans dire pourquoi. Si vous voulez une raison, faites-lui envoyer close(1000) ou un code applicatif.",
      'Si une trame Close sur le réseau contient vraiment 1005, son émetteur est défaillant : wsdiag le signale comme invalid-close-code.',
    ],
    typicalCause: 'une trame Close sans code de statut',
    useWhen: "N'envoyez jamais 1005 : envoyez un Close sans corps (ou 1000) et l'API du récepteur indiquera 1005 d'elle-même.",
  },
  1006: {
    name: 'Fermeture anormale',
    meaning:
      "Jamais envoyé non plus. Votre API indique 1006 quand la connexion s'est terminée sans poignée de main de fermeture : la connexion TCP est tombée ou a été réinitialisée avant qu'une trame Close n'arrive. Cela dit que la ligne a été coupée, pas qui l'a coupée ni pourquoi.",
    whenSeen:
      "Le code le plus fréquent dans les consoles de navigateur. Causes typiques : le délai d'inactivité d'un proxy inverse ou d'un répartiteur de charge sur une connexion silencieuse (proxy_read_timeout de nginx vaut 60 s par défaut, les répartiteurs des clouds ont des limites du même ordre) ; un bloc location nginx sans proxy_http_version 1.1 ni les en-têtes Upgrade/Connection, si bien que la poignée de main n'aboutit jamais ; un processus serveur qui a planté ou a été tué ; un portable qui se met en veille ou un téléphone qui change de réseau ; un problème de certificat TLS. Les navigateurs affichent aussi 1006 quand ils ont eux-mêmes coupé la connexion pour une erreur de protocole, car ils n'en donnent pas la raison à la page.",
    resolve: [
      "Placez wsdiag entre les deux côtés : son événement close dit alors qui a terminé la connexion TCP et comment (fin ou reset) sans poignée de main de fermeture, et nomme la trame coupée (truncated-frame) ou le ping resté sans réponse (ping-unanswered) s'il y en a un ; examinez ce qui se trouve sur le chemin et les journaux de ce côté à ce moment-là.",
      "Si les connexions meurent après une durée d'inactivité fixe, envoyez des pings ou des battements de cœur applicatifs plus souvent que le plus court délai d'inactivité du chemin, ou augmentez ce délai.",
      "Si l'échec est immédiat, vérifiez la poignée de main : statut 101, en-têtes Upgrade et Connection à travers chaque proxy, et certificat TLS.",
      "Reconnectez-vous avec un recul exponentiel et un peu d'aléa : même un réseau sain produit de temps en temps un 1006.",
    ],
    typicalCause: "la connexion TCP s'est terminée sans trame Close",
    useWhen: "N'envoyez jamais 1006 : votre API l'indique quand la connexion est morte sans poignée de main de fermeture.",
  },
  1007: {
    name: 'Données de trame invalides',
    meaning:
      "Le type de message était accepté, mais les données qu'il contient ne sont pas cohérentes avec ce type. En pratique : un message texte dont les octets ne sont pas de l'UTF-8 valide. C'est aussi la réponse à une raison de Close qui n'est pas en UTF-8 et à une charge permessage-deflate qui ne se décompresse pas.",
    whenSeen:
      "Les navigateurs et le module ws de Node vérifient chaque message texte et coupent la connexion sur de l'UTF-8 invalide (ws ferme avec 1007 « invalid UTF-8 sequence »). Causes typiques : des données binaires (protobuf, gzip, une image) envoyées dans une trame texte ; une chaîne encodée en Latin-1 ou Windows-1252 au lieu d'UTF-8 ; une chaîne coupée au milieu d'un caractère multi-octet, comme une raison de fermeture tronquée à 123 octets ; un proxy qui réécrit les charges compressées.",
    resolve: [
      'Si les données ne sont pas du texte, envoyez-les en binaire (opcode 0x2).',
      "Encodez les chaînes en UTF-8 et ne les coupez qu'entre deux caractères.",
      "La violation invalid-utf8-text de wsdiag désigne la première trame où les octets cessent d'être de l'UTF-8, avec un aperçu de ces octets.",
    ],
    typicalCause: "un message texte qui n'est pas de l'UTF-8 valide",
    useWhen: 'Envoyez 1007 quand le type de message est accepté mais que les données ne correspondent pas à ce type.',
  },
  1008: {
    name: 'Violation de politique',
    meaning:
      "L'extrémité refuse ce qu'elle a reçu parce que cela enfreint l'une de ses propres règles. C'est le refus fourre-tout pour tout ce qui n'est ni un problème de type de données (1003) ni un problème de taille (1009), et une façon de refuser sans donner de détails.",
    whenSeen:
      "Les serveurs l'utilisent pour une authentification échouée ou un jeton expiré après la poignée de main, une Origin refusée, une limite de débit, un message qui échoue à la validation, ou un client qui a enfreint le protocole applicatif (par exemple un abonnement avant le message d'initialisation). La raison du Close porte en général la vraie cause.",
    resolve: [
      "Lisez la raison du Close et les journaux du serveur : 1008 signifie que l'application a décidé, l'explication est donc dans l'application.",
      "Vérifiez les identifiants, la durée de vie des jetons, l'en-tête Origin et les limites de débit par connexion.",
      'Si le serveur est à vous et que la cause est précise, préférez un code documenté de 4000–4999 auquel les clients peuvent réagir.',
    ],
    typicalCause: "l'application a refusé le message (authentification, limite de débit, validation)",
    useWhen:
      'Envoyez 1008 pour refuser un message selon votre propre politique quand ni 1003 ni 1009 ne conviennent, ou quand vous ne voulez pas dire pourquoi.',
  },
  1009: {
    name: 'Message trop grand',
    meaning:
      "Le message est plus grand que ce que le récepteur accepte de traiter. La taille est celle du message entier (tous ses fragments, après décompression avec permessage-deflate), pas celle d'une trame.",
    whenSeen:
      'Chaque pile a une limite : maxPayload du module ws de Node (100 Mio par défaut), max_size de websockets en Python (1 Mio par défaut), les tampons texte et binaire de Tomcat (8 Kio par défaut, hérités par les applications Spring qui ne les règlent pas), les tailles maximales de message de Jetty. Un gros instantané JSON, un fichier envoyé en un seul message, ou un message compressé qui gonfle bien au-delà de sa taille sur le réseau le déclenche.',
    resolve: [
      "Envoyez les données en messages plus petits (des morceaux numérotés), ou récupérez les grosses charges en HTTP et n'envoyez qu'une référence sur la socket.",
      "Si la taille est voulue, augmentez la limite du récepteur (et --max-message de wsdiag) juste au-dessus du plus gros message attendu, pas à l'infini.",
      'La compression masque la taille réelle : la limite porte sur le message décompressé.',
    ],
    typicalCause: 'un message au-dessus de la limite de taille du récepteur',
    useWhen: "Envoyez 1009 quand le message est bien formé et d'un type accepté, mais trop grand pour être traité.",
  },
  1010: {
    name: 'Extension obligatoire',
    meaning:
      "Envoyé par un client qui a besoin d'une extension (permessage-deflate, par exemple) que le serveur n'a pas acceptée dans sa réponse de poignée de main ; la raison du Close devrait lister les extensions manquantes. Un serveur ne l'envoie jamais : un serveur qui ne peut pas satisfaire le client fait échouer la poignée de main.",
    whenSeen:
      "Rare. Des clients maison ou embarqués qui exigent la compression, ou un proxy qui retire Sec-WebSocket-Extensions de la requête ou de la réponse. Les navigateurs ne l'envoient pas.",
    resolve: [
      "Comparez le Sec-WebSocket-Extensions proposé par le client avec ce que la réponse 101 a accepté (l'événement open de wsdiag montre la valeur acceptée).",
      "Activez l'extension sur le serveur, cessez de l'exiger côté client, ou corrigez le proxy qui supprime l'en-tête.",
    ],
    typicalCause: "le serveur n'a pas accepté une extension exigée par le client",
    useWhen:
      'Envoyez 1010, uniquement en tant que client, quand la poignée de main du serveur a laissé de côté une extension dont vous ne pouvez pas vous passer.',
  },
  1011: {
    name: 'Erreur interne',
    meaning:
      "L'extrémité qui l'envoie a rencontré une condition inattendue chez elle (typiquement une exception non gérée) et ne peut pas continuer. Cela ne dit pas que les octets de l'autre côté étaient fautifs. La RFC 6455 le décrit pour les serveurs ; les clients l'envoient aussi.",
    whenSeen:
      "Les frameworks serveur l'envoient quand un gestionnaire de message lève une exception (Spring ferme avec 1011, son CloseStatus.SERVER_ERROR). websockets en Python ferme avec 1011 quand un ping de maintien de connexion ne reçoit pas de pong à temps. Une dépendance en panne derrière la socket (base de données, API amont) se manifeste souvent par un 1011.",
    resolve: [
      "Lisez les journaux du côté qui l'a envoyé, au moment de la fermeture : on y trouve en général une trace de pile.",
      "Pour « keepalive ping timeout », l'autre côté n'a pas répondu aux pings à temps : cherchez une boucle d'événements bloquée, un réseau lent ou un proxy qui avale les pings. wsdiag relie un tel Close au ping qu'il a vu rester sans réponse (ping-unanswered).",
      'Les clients doivent se reconnecter avec un recul progressif ; un 1011 après un message précis désigne un bogue serveur que ce message déclenche.',
    ],
    typicalCause: "une erreur non gérée dans l'extrémité",
    useWhen: "Envoyez 1011 quand votre propre code a échoué de façon inattendue et que l'autre côté n'a rien fait de mal.",
  },
  1012: {
    name: 'Redémarrage du service',
    meaning:
      "Le serveur redémarre et ferme la connexion volontairement ; il s'attend à ce que le client revienne. Un code valide, enregistré à l'IANA après la RFC 6455, et pas une erreur.",
    whenSeen:
      "Pendant les déploiements et les redémarrages progressifs de serveurs qui ferment proprement leurs sockets, et de la part de services WebSocket hébergés qui déplacent les connexions d'un nœud à l'autre.",
    resolve: [
      "Reconnectez-vous automatiquement après un court délai aléatoire (par exemple 1 à 5 s avec de l'aléa) pour que les clients ne reviennent pas tous en même temps.",
      "Restaurez l'état après la reconnexion : abonnements, identifiant du dernier message reçu.",
    ],
    typicalCause: 'le serveur redémarre',
    useWhen: 'Envoyez 1012, en tant que serveur, quand vous redémarrez et que le client doit se reconnecter sous peu.',
  },
  1013: {
    name: 'Réessayez plus tard',
    meaning:
      "Le serveur ne peut pas servir cette connexion pour le moment (surcharge, limite de connexions atteinte, dépendance en panne) et demande au client de revenir plus tard. Un code valide, enregistré à l'IANA.",
    whenSeen:
      "Des serveurs qui délestent la charge ou plafonnent les connexions par nœud, et des passerelles qui protègent un backend chargé. Souvent suivi d'une avalanche de reconnexions quand les clients réessaient sans attendre.",
    resolve: [
      "Reconnectez-vous avec un recul exponentiel et de l'aléa ; ne réessayez jamais en boucle serrée.",
      'Côté serveur, vérifiez la capacité et les limites de connexions ; la raison du Close peut nommer la limite atteinte.',
    ],
    typicalCause: 'le serveur est surchargé ou à une limite',
    useWhen:
      'Envoyez 1013, en tant que serveur, quand le refus est temporaire et que le client doit réessayer plus tard avec un recul progressif.',
  },
  1014: {
    name: 'Mauvaise passerelle',
    meaning:
      "L'extrémité est une passerelle ou un proxy et a reçu une réponse invalide du serveur situé derrière elle, un peu comme un HTTP 502. Un code valide, enregistré à l'IANA.",
    whenSeen:
      "Des passerelles et des proxys d'API qui terminent la WebSocket et ouvrent leur propre connexion vers un backend, quand cette connexion échoue ou renvoie quelque chose d'inutilisable.",
    resolve: [
      'La faute est derrière la passerelle : vérifiez le service amont et les journaux de la passerelle sur sa connexion vers lui.',
      'Placez wsdiag entre la passerelle et le service amont pour voir ce que celui-ci envoie réellement.',
    ],
    typicalCause: 'le serveur derrière une passerelle a mal répondu',
    useWhen: 'Envoyez 1014 depuis une passerelle quand le service amont dont elle dépend a donné une réponse invalide.',
  },
  1015: {
    name: 'Échec de la poignée de main TLS',
    meaning:
      'Jamais envoyé. Votre API indique 1015 quand une connexion wss:// a échoué parce que la poignée de main TLS a échoué, par exemple quand le certificat du serveur ne peut pas être vérifié. Sans TLS, aucune trame Close ne peut être échangée.',
    whenSeen:
      "Certaines bibliothèques clientes hors navigateur l'indiquent. Les navigateurs cachent les détails TLS à la page et affichent 1006 à la place, l'erreur de certificat n'apparaissant que dans la console. Causes : un certificat expiré ou auto-signé, un nom d'hôte qui ne correspond pas, un certificat intermédiaire manquant, un proxy qui intercepte le TLS, ou aucune version ni suite de chiffrement TLS en commun.",
    resolve: [
      "Vérifiez la chaîne de certificats et le nom d'hôte avec un outil TLS, par exemple openssl s_client -connect HÔTE:443 -servername HÔTE.",
      "Si un proxy d'entreprise intercepte le TLS, installez son autorité de certification sur le client ou contournez le proxy pour cet hôte.",
      'Si une trame Close sur le réseau contient 1015, son émetteur est défaillant : wsdiag le signale comme invalid-close-code.',
    ],
    typicalCause: 'la poignée de main TLS a échoué',
    useWhen: "N'envoyez jamais 1015 : il est indiqué localement quand le TLS échoue.",
  },
  'below-1000': {
    name: 'Inutilisés (0–999)',
    meaning: "Le protocole WebSocket n'utilise aucun code de fermeture inférieur à 1000. Une trame Close qui en porte un est invalide.",
    whenSeen:
      'Du code qui a passé autre chose comme code de fermeture : un statut HTTP comme 404 ou 500, un code de sortie de processus, ou 0 par accident. Le module ws de Node et les navigateurs refusent ces codes dans close().',
    resolve: [
      'Associez la situation à un vrai code : 1008 ou 1011, ou un code applicatif de 4000–4999 (4000 + le statut HTTP, par exemple 4404, est une convention répandue).',
      'wsdiag signale un code inférieur à 1000 sur le réseau comme invalid-close-code.',
    ],
    typicalCause: 'un statut HTTP ou un code de sortie utilisé comme code de fermeture',
    useWhen: "N'envoyez jamais un code inférieur à 1000.",
  },
  'reserved-1016-2999': {
    name: 'Réservés (1016–2999)',
    meaning:
      "Gardés pour de futurs standards et extensions WebSocket. Aucun code de cette plage n'est attribué aujourd'hui, donc aucun ne doit être envoyé.",
    whenSeen:
      'Une bibliothèque qui a inventé son propre code dans cette plage, ou une faute de frappe (2000 pour 1000). Les récepteurs conformes à la RFC 6455 le traitent comme une erreur de protocole.',
    resolve: [
      'Utilisez un code de 4000–4999 pour une signification applicative, ou de 3000–3999 si votre bibliothèque en a enregistré un.',
      'wsdiag le signale sur le réseau comme invalid-close-code.',
    ],
    typicalCause: 'un code inventé dans la plage réservée',
    useWhen: "N'envoyez jamais un code de 1016 à 2999.",
  },
  'registered-3000-3999': {
    name: 'Enregistrés pour les bibliothèques et frameworks (3000–3999)',
    meaning:
      "Des codes pour les bibliothèques, les frameworks et les applications, enregistrés auprès de l'IANA selon le principe du premier arrivé, premier servi, afin que leur signification soit publique. Valides sur le réseau ; le sens de chacun vient de son enregistrement, pas de la RFC 6455. Parmi les codes enregistrés figurent 3000 (Unauthorized), 3003 (Forbidden) et 3008 (Timeout).",
    whenSeen:
      "Des frameworks et des services hébergés qui veulent un code que chacun peut consulter. Les navigateurs laissent les scripts envoyer n'importe quel code de cette plage.",
    resolve: [
      "Cherchez le numéro exact dans le registre IANA des codes de fermeture WebSocket et dans la documentation de la bibliothèque de l'autre côté.",
      "La raison du Close en dit souvent plus ; wsdiag l'affiche dans l'événement peer-close.",
    ],
    typicalCause: 'une raison définie par une bibliothèque ou un framework',
    useWhen:
      "Envoyez un code de 3000–3999 quand l'un d'eux est enregistré pour le sens voulu, typiquement depuis une bibliothèque utilisée par de nombreuses applications.",
  },
  'private-4000-4999': {
    name: 'Usage privé (4000–4999)',
    meaning:
      "Des codes pour les applications, sans enregistrement : le client et le serveur conviennent entre eux de leur sens. Valides sur le réseau, mais seule la documentation de l'application dit ce que signifie un numéro donné.",
    whenSeen:
      "Les protocoles applicatifs définissent les leurs : graphql-ws (GraphQL sur WebSocket) utilise 4400 requête invalide, 4401 non autorisé, 4403 interdit, 4408 délai d'initialisation dépassé, 4409 identifiant d'abonnement en double et 4429 trop de demandes d'initialisation ; beaucoup d'applications reprennent les statuts HTTP sous la forme 4000 + statut. Les navigateurs laissent les scripts envoyer n'importe quel code de cette plage.",
    resolve: [
      "Trouvez la liste des codes de fermeture de l'application ou du sous-protocole ; la raison du Close explique souvent le code.",
      'Si vous définissez de tels codes, documentez-les et gardez-les stables, comme une API.',
    ],
    typicalCause: "une raison définie par l'application",
    useWhen: "Envoyez un code de 4000–4999 pour une raison propre à votre application, à laquelle l'autre côté doit pouvoir réagir.",
  },
  'above-4999': {
    name: 'Invalides (5000 et plus)',
    meaning:
      "Aucun code de fermeture n'existe au-delà de 4999. Une trame Close qui en porte un est invalide, même si le champ de 2 octets peut contenir des valeurs jusqu'à 65535.",
    whenSeen:
      "Une erreur de calcul (un décalage ajouté deux fois), une inversion d'ordre des octets dans du code écrit à la main (1000 écrit en petit-boutiste se lit 59395), ou un corps de Close désaligné.",
    resolve: [
      'Écrivez le code comme un entier non signé de 16 bits en gros-boutiste et gardez-le entre 1000 et 4999.',
      'wsdiag le signale sur le réseau comme invalid-close-code.',
    ],
    typicalCause: 'un code corrompu ou mal calculé',
    useWhen: "N'envoyez jamais un code de 5000 ou plus.",
  },
};
