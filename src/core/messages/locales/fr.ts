import type { LocaleMessages } from "../types.js";

/** French ("vous"). Colons are preceded by a no-break space, as French typography wants. */
export const fr: LocaleMessages = {
  locale: "fr",
  kinds: {
    account_locked: {
      title: "Votre compte est temporairement verrouillé",
      body: "Pour votre protection, la connexion à votre compte a été temporairement bloquée. Cela peut se produire après un trop grand nombre de tentatives de connexion ou lorsqu’une activité inhabituelle est détectée.",
      action: "Patientez quelques minutes, puis réessayez. Si vous avez besoin d’un accès plus rapide, réinitialisez votre mot de passe avec la réinitialisation en libre-service, ou contactez votre support informatique.",
      actionWithWait: "Réessayez dans {wait}. Si vous avez besoin d’un accès plus rapide, réinitialisez votre mot de passe avec la réinitialisation en libre-service, ou contactez votre support informatique.",
      actionWaitOver: "Vous pouvez réessayer maintenant. Si votre compte est toujours verrouillé, réinitialisez votre mot de passe avec la réinitialisation en libre-service, ou contactez votre support informatique.",
    },
    conditional_access_blocked: {
      title: "Connexion bloquée par la politique de votre organisation",
      body: "La politique de sécurité de votre organisation ne vous permet pas d’accéder à cette application depuis cet endroit. Cela peut dépendre de l’appareil, du lieu ou du réseau, ou de l’application que vous utilisez. Réessayer n’y changera rien.",
      action: "Contactez votre support informatique. Indiquez l’application à laquelle vous tentiez de vous connecter et l’heure à laquelle cela s’est produit, afin qu’il puisse identifier la politique qui a bloqué la connexion.",
      actionWithReference: "Contactez votre support informatique. Indiquez l’application à laquelle vous tentiez de vous connecter, l’heure à laquelle cela s’est produit et la référence affichée avec ce message, afin qu’il puisse identifier la politique qui a bloqué la connexion.",
    },
    access_denied: {
      title: "Vous n’avez pas accès",
      body: "Votre organisation n’a pas accordé à votre compte l’accès à cette application, ou n’autorise pas cette connexion.",
      action: "Si vous pensez devoir y avoir accès, contactez votre support informatique.",
      actionWithReference: "Si vous pensez devoir y avoir accès, contactez votre support informatique en lui communiquant la référence affichée avec ce message.",
    },
    device_not_compliant: {
      title: "Cet appareil ne répond pas aux exigences de votre organisation",
      body: "Votre organisation n’autorise l’accès qu’à partir d’appareils et d’applications qu’elle gère ou approuve, et cet appareil ne répond pas à ces exigences.",
      action: "Utilisez un appareil approuvé par votre organisation, ou inscrivez cet appareil et mettez-le à jour, par exemple avec l’application Portail d’entreprise. Si vous avez besoin d’aide, contactez votre support informatique.",
    },
    mfa_required: {
      title: "Vérification supplémentaire requise",
      body: "Votre organisation vous demande de confirmer votre identité avec une deuxième méthode, par exemple une application d’authentification ou un SMS.",
      action: "Reconnectez-vous et effectuez la vérification. Si vous n’avez pas encore configuré de méthode de vérification, vous serez guidé pas à pas.",
    },
    consent_required: {
      title: "Votre autorisation est nécessaire",
      body: "Cette application a besoin de votre autorisation pour accéder à certaines de vos informations avant de pouvoir continuer.",
      action: "Reconnectez-vous et examinez les autorisations demandées par l’application. Acceptez-les pour continuer.",
    },
    admin_consent_required: {
      title: "Approbation d’un administrateur requise",
      body: "Cette application a besoin d’autorisations que seul un administrateur de votre organisation peut approuver.",
      action: "Demandez à votre administrateur informatique d’approuver cette application pour votre organisation, puis réessayez.",
      actionWithReference: "Demandez à votre administrateur informatique d’approuver cette application pour votre organisation, en lui communiquant la référence affichée avec ce message. Réessayez ensuite.",
    },
    interaction_required: {
      title: "Veuillez vous reconnecter",
      body: "Votre session a expiré ou n’est plus valide.",
      action: "Reconnectez-vous pour continuer.",
    },
    password_expired: {
      title: "Votre mot de passe doit être changé",
      body: "Votre mot de passe a expiré ou doit être changé avant que vous puissiez continuer.",
      action: "Reconnectez-vous et suivez les étapes pour changer votre mot de passe. Si cela ne fonctionne pas, contactez votre support informatique.",
    },
    invalid_credentials: {
      title: "Nom d’utilisateur ou mot de passe incorrect",
      body: "Le nom d’utilisateur ou le mot de passe que vous avez saisi est incorrect.",
      action: "Vérifiez votre nom d’utilisateur et votre mot de passe, et assurez-vous que la touche Verr. Maj n’est pas activée. Si vous avez oublié votre mot de passe, réinitialisez-le plutôt que de réessayer\u00a0: des tentatives répétées peuvent verrouiller votre compte.",
    },
    account_unavailable: {
      title: "Ce compte ne peut pas être utilisé",
      body: "Le compte est désactivé, a été supprimé ou n’appartient pas à cette organisation.",
      action: "Vérifiez que vous vous connectez avec le bon compte. Si c’est le cas, contactez votre support informatique.",
      actionWithReference: "Vérifiez que vous vous connectez avec le bon compte. Si c’est le cas, contactez votre support informatique en lui communiquant la référence affichée avec ce message.",
    },
    client_misconfigured: {
      title: "Cette application n’est pas configurée correctement",
      body: "La connexion a échoué en raison d’un problème de configuration de l’application. Vous ne pouvez pas le résoudre vous-même.",
      action: "Contactez le support de l’application ou votre support informatique.",
      actionWithReference: "Contactez le support de l’application ou votre support informatique, en communiquant la référence affichée avec ce message.",
    },
    tenant_misconfigured: {
      title: "Problème de configuration de la connexion dans votre organisation",
      body: "La connexion a échoué en raison d’un problème dans la configuration de connexion de votre organisation. Vous ne pouvez pas le résoudre vous-même.",
      action: "Contactez votre support informatique.",
      actionWithReference: "Contactez votre support informatique en lui communiquant la référence affichée avec ce message.",
    },
    invalid_request: {
      title: "La connexion n’a pas pu aboutir",
      body: "Une erreur s’est produite lors du traitement de la connexion.",
      action: "Recommencez la connexion. Si le problème persiste, contactez votre support informatique.",
      actionWithReference: "Recommencez la connexion. Si le problème persiste, contactez votre support informatique en lui communiquant la référence affichée avec ce message.",
    },
    throttled: {
      title: "Trop de demandes",
      body: "Le service de connexion reçoit actuellement trop de demandes et a demandé à cette application de ralentir.",
      action: "Patientez un instant, puis réessayez.",
      actionWithWait: "Réessayez dans {wait}.",
      actionWaitOver: "Vous pouvez réessayer maintenant.",
    },
    transient: {
      title: "Connexion temporairement indisponible",
      body: "Le service de connexion a rencontré un problème temporaire.",
      action: "Patientez un instant, puis réessayez.",
      actionWithWait: "Réessayez dans {wait}.",
      actionWaitOver: "Vous pouvez réessayer maintenant.",
    },
    network: {
      title: "Impossible de joindre le service de connexion",
      body: "Le service de connexion est injoignable. Votre connexion Internet est peut-être interrompue ou instable.",
      action: "Vérifiez votre connexion Internet, puis réessayez.",
    },
    user_cancelled: {
      title: "Connexion annulée",
      body: "La connexion a été annulée avant d’être terminée.",
      action: "Pour continuer, recommencez la connexion.",
    },
    popup_blocked: {
      title: "Fenêtre de connexion bloquée",
      body: "Votre navigateur n’a pas ouvert la fenêtre de connexion.",
      action: "Autorisez les fenêtres pop-up pour ce site, puis réessayez.",
    },
    unknown: {
      title: "Échec de la connexion",
      body: "Une erreur s’est produite lors de la connexion.",
      action: "Réessayez plus tard. Si le problème persiste, contactez votre support informatique.",
      actionWithReference: "Réessayez plus tard. Si le problème persiste, contactez votre support informatique en lui communiquant la référence affichée avec ce message.",
    },
  },
  retryLabel: "Réessayer",
  reference: {
    code: "Code d’erreur\u00a0: {value}",
    correlationId: "ID de corrélation\u00a0: {value}",
    time: "Heure\u00a0: {value}",
    policies: "Stratégie\u00a0: {value}",
    separator: " · ",
  },
  wait: {
    approximately: "environ {duration}",
    seconds: { one: "{n}\u00a0seconde", other: "{n}\u00a0secondes" },
    minutes: { one: "{n}\u00a0minute", other: "{n}\u00a0minutes" },
    hours: { one: "{n}\u00a0heure", other: "{n}\u00a0heures" },
  },
};
