import type { LocaleMessages } from "../types.js";

/** German (formal "Sie"). */
export const de: LocaleMessages = {
  locale: "de",
  kinds: {
    account_locked: {
      title: "Ihr Konto ist vorübergehend gesperrt",
      body: "Zu Ihrem Schutz ist die Anmeldung bei Ihrem Konto vorübergehend gesperrt. Das kann nach zu vielen Anmeldeversuchen passieren oder wenn ungewöhnliche Aktivitäten festgestellt werden.",
      action: "Warten Sie einige Minuten und versuchen Sie es dann erneut. Wenn Sie früher wieder Zugriff benötigen, setzen Sie Ihr Kennwort über die Self-Service-Kennwortzurücksetzung zurück oder wenden Sie sich an Ihren IT-Support.",
      actionWithWait: "Versuchen Sie es in {wait} erneut. Wenn Sie früher wieder Zugriff benötigen, setzen Sie Ihr Kennwort über die Self-Service-Kennwortzurücksetzung zurück oder wenden Sie sich an Ihren IT-Support.",
      actionWaitOver: "Sie können es jetzt erneut versuchen. Wenn Ihr Konto noch gesperrt ist, setzen Sie Ihr Kennwort über die Self-Service-Kennwortzurücksetzung zurück oder wenden Sie sich an Ihren IT-Support.",
    },
    conditional_access_blocked: {
      title: "Die Richtlinie Ihrer Organisation blockiert diese Anmeldung",
      body: "Die Sicherheitsrichtlinie Ihrer Organisation erlaubt Ihnen von hier aus keinen Zugriff auf diese App. Das kann vom Gerät, vom Standort oder Netzwerk oder von der verwendeten App abhängen. Ein erneuter Versuch ändert daran nichts.",
      action: "Wenden Sie sich an Ihren IT-Support. Teilen Sie mit, bei welcher App Sie sich anmelden wollten und wann das war, damit dort geprüft werden kann, welche Richtlinie die Anmeldung blockiert hat.",
      actionWithReference: "Wenden Sie sich an Ihren IT-Support. Teilen Sie mit, bei welcher App Sie sich anmelden wollten, wann das war und welche Referenz bei dieser Meldung angezeigt wird, damit dort geprüft werden kann, welche Richtlinie die Anmeldung blockiert hat.",
    },
    access_denied: {
      title: "Sie haben keinen Zugriff",
      body: "Ihre Organisation hat Ihrem Konto keinen Zugriff auf diese App gewährt oder lässt diese Anmeldung nicht zu.",
      action: "Wenn Sie der Meinung sind, dass Sie Zugriff haben sollten, wenden Sie sich an Ihren IT-Support.",
      actionWithReference: "Wenn Sie der Meinung sind, dass Sie Zugriff haben sollten, wenden Sie sich an Ihren IT-Support und geben Sie die bei dieser Meldung angezeigte Referenz an.",
    },
    device_not_compliant: {
      title: "Dieses Gerät erfüllt nicht die Anforderungen Ihrer Organisation",
      body: "Ihre Organisation erlaubt den Zugriff nur von Geräten und Apps, die sie verwaltet oder freigegeben hat, und dieses Gerät erfüllt diese Anforderungen nicht.",
      action: "Verwenden Sie ein von Ihrer Organisation freigegebenes Gerät, oder registrieren und aktualisieren Sie dieses Gerät, zum Beispiel über die Unternehmensportal-App. Wenn Sie Hilfe benötigen, wenden Sie sich an Ihren IT-Support.",
    },
    mfa_required: {
      title: "Zusätzliche Überprüfung erforderlich",
      body: "Ihre Organisation verlangt, dass Sie Ihre Identität mit einer weiteren Methode bestätigen, zum Beispiel mit einer Authenticator-App oder per SMS.",
      action: "Melden Sie sich erneut an und schließen Sie die Überprüfung ab. Falls Sie noch keine Überprüfungsmethode eingerichtet haben, werden Sie durch die Einrichtung geführt.",
    },
    consent_required: {
      title: "Ihre Zustimmung ist erforderlich",
      body: "Diese App benötigt Ihre Erlaubnis, um auf einige Ihrer Informationen zuzugreifen, bevor sie fortfahren kann.",
      action: "Melden Sie sich erneut an und prüfen Sie die Berechtigungen, die die App anfordert. Stimmen Sie ihnen zu, um fortzufahren.",
    },
    admin_consent_required: {
      title: "Genehmigung durch einen Administrator erforderlich",
      body: "Diese App benötigt Berechtigungen, die nur ein Administrator Ihrer Organisation genehmigen kann.",
      action: "Bitten Sie Ihren IT-Administrator, diese App für Ihre Organisation zu genehmigen, und versuchen Sie es dann erneut.",
      actionWithReference: "Bitten Sie Ihren IT-Administrator, diese App für Ihre Organisation zu genehmigen, und geben Sie die bei dieser Meldung angezeigte Referenz an. Versuchen Sie es danach erneut.",
    },
    interaction_required: {
      title: "Bitte melden Sie sich erneut an",
      body: "Ihre Sitzung ist abgelaufen oder nicht mehr gültig.",
      action: "Melden Sie sich erneut an, um fortzufahren.",
    },
    password_expired: {
      title: "Ihr Kennwort muss geändert werden",
      body: "Ihr Kennwort ist abgelaufen oder muss geändert werden, bevor Sie fortfahren können.",
      action: "Melden Sie sich erneut an und folgen Sie den Schritten, um Ihr Kennwort zu ändern. Wenn das nicht funktioniert, wenden Sie sich an Ihren IT-Support.",
    },
    invalid_credentials: {
      title: "Benutzername oder Kennwort ist falsch",
      body: "Der eingegebene Benutzername oder das Kennwort ist nicht korrekt.",
      action: "Überprüfen Sie Ihren Benutzernamen und Ihr Kennwort und achten Sie darauf, dass die Feststelltaste nicht aktiviert ist. Wenn Sie Ihr Kennwort vergessen haben, setzen Sie es zurück, statt es weiter zu versuchen, denn wiederholte Versuche können Ihr Konto sperren.",
    },
    account_unavailable: {
      title: "Dieses Konto kann nicht verwendet werden",
      body: "Das Konto ist deaktiviert, wurde entfernt oder gehört nicht zu dieser Organisation.",
      action: "Vergewissern Sie sich, dass Sie sich mit dem richtigen Konto anmelden. Falls ja, wenden Sie sich an Ihren IT-Support.",
      actionWithReference: "Vergewissern Sie sich, dass Sie sich mit dem richtigen Konto anmelden. Falls ja, wenden Sie sich an Ihren IT-Support und geben Sie die bei dieser Meldung angezeigte Referenz an.",
    },
    client_misconfigured: {
      title: "Diese App ist nicht richtig eingerichtet",
      body: "Die Anmeldung ist wegen eines Problems in der Konfiguration der App fehlgeschlagen. Sie selbst können das nicht beheben.",
      action: "Wenden Sie sich an den Support der App oder an Ihren IT-Support.",
      actionWithReference: "Wenden Sie sich an den Support der App oder an Ihren IT-Support und geben Sie die bei dieser Meldung angezeigte Referenz an.",
    },
    tenant_misconfigured: {
      title: "Problem mit der Anmeldekonfiguration Ihrer Organisation",
      body: "Die Anmeldung ist wegen eines Problems in der Anmeldekonfiguration Ihrer Organisation fehlgeschlagen. Sie selbst können das nicht beheben.",
      action: "Wenden Sie sich an Ihren IT-Support.",
      actionWithReference: "Wenden Sie sich an Ihren IT-Support und geben Sie die bei dieser Meldung angezeigte Referenz an.",
    },
    invalid_request: {
      title: "Die Anmeldung konnte nicht abgeschlossen werden",
      body: "Bei der Verarbeitung der Anmeldung ist ein Fehler aufgetreten.",
      action: "Starten Sie die Anmeldung erneut. Wenn das Problem weiterhin besteht, wenden Sie sich an Ihren IT-Support.",
      actionWithReference: "Starten Sie die Anmeldung erneut. Wenn das Problem weiterhin besteht, wenden Sie sich an Ihren IT-Support und geben Sie die bei dieser Meldung angezeigte Referenz an.",
    },
    throttled: {
      title: "Zu viele Anfragen",
      body: "Der Anmeldedienst erhält gerade zu viele Anfragen und hat diese App gebeten, vorübergehend weniger Anfragen zu senden.",
      action: "Warten Sie einen Moment und versuchen Sie es dann erneut.",
      actionWithWait: "Versuchen Sie es in {wait} erneut.",
      actionWaitOver: "Sie können es jetzt erneut versuchen.",
    },
    transient: {
      title: "Die Anmeldung ist vorübergehend nicht verfügbar",
      body: "Beim Anmeldedienst ist ein vorübergehendes Problem aufgetreten.",
      action: "Warten Sie einen Moment und versuchen Sie es dann erneut.",
      actionWithWait: "Versuchen Sie es in {wait} erneut.",
      actionWaitOver: "Sie können es jetzt erneut versuchen.",
    },
    network: {
      title: "Keine Verbindung",
      body: "Der Anmeldedienst ist nicht erreichbar. Möglicherweise ist Ihre Internetverbindung getrennt oder instabil.",
      action: "Überprüfen Sie Ihre Internetverbindung und versuchen Sie es dann erneut.",
    },
    user_cancelled: {
      title: "Anmeldung abgebrochen",
      body: "Die Anmeldung wurde abgebrochen, bevor sie abgeschlossen war.",
      action: "Starten Sie die Anmeldung erneut, um fortzufahren.",
    },
    popup_blocked: {
      title: "Anmeldefenster blockiert",
      body: "Ihr Browser hat das Anmeldefenster nicht geöffnet.",
      action: "Erlauben Sie Pop-ups für diese Website und versuchen Sie es erneut.",
    },
    unknown: {
      title: "Anmeldung fehlgeschlagen",
      body: "Bei der Anmeldung ist ein Fehler aufgetreten.",
      action: "Versuchen Sie es später erneut. Wenn das Problem weiterhin besteht, wenden Sie sich an Ihren IT-Support.",
      actionWithReference: "Versuchen Sie es später erneut. Wenn das Problem weiterhin besteht, wenden Sie sich an Ihren IT-Support und geben Sie die bei dieser Meldung angezeigte Referenz an.",
    },
  },
  retryLabel: "Erneut versuchen",
  reference: {
    code: "Fehlercode: {value}",
    correlationId: "Korrelations-ID: {value}",
    time: "Zeitpunkt: {value}",
    policies: "Richtlinie: {value}",
    separator: " · ",
  },
  wait: {
    approximately: "etwa {duration}",
    seconds: { one: "{n} Sekunde", other: "{n} Sekunden" },
    minutes: { one: "{n} Minute", other: "{n} Minuten" },
    hours: { one: "{n} Stunde", other: "{n} Stunden" },
  },
};
