import type { LocaleMessages } from "../types.js";

/** Spanish (neutral, "usted"). */
export const es: LocaleMessages = {
  locale: "es",
  kinds: {
    account_locked: {
      title: "Su cuenta está bloqueada temporalmente",
      body: "Para su protección, el inicio de sesión en su cuenta se ha bloqueado temporalmente. Esto puede ocurrir tras demasiados intentos de inicio de sesión o cuando se detecta actividad inusual.",
      action: "Espere unos minutos y vuelva a intentarlo. Si necesita acceder antes, restablezca su contraseña con el autoservicio de restablecimiento de contraseña o póngase en contacto con su departamento de TI.",
      actionWithWait: "Vuelva a intentarlo dentro de {wait}. Si necesita acceder antes, restablezca su contraseña con el autoservicio de restablecimiento de contraseña o póngase en contacto con su departamento de TI.",
      actionWaitOver: "Ya puede volver a intentarlo. Si su cuenta sigue bloqueada, restablezca su contraseña con el autoservicio de restablecimiento de contraseña o póngase en contacto con su departamento de TI.",
    },
    conditional_access_blocked: {
      title: "La política de su organización bloquea este inicio de sesión",
      body: "La política de seguridad de su organización no le permite acceder a esta aplicación desde aquí. Esto puede depender del dispositivo, de la ubicación o la red, o de la aplicación que usa. Volver a intentarlo no cambiará el resultado.",
      action: "Póngase en contacto con su departamento de TI. Indique en qué aplicación intentaba iniciar sesión y cuándo ocurrió, para que puedan averiguar qué política bloqueó el acceso.",
      actionWithReference: "Póngase en contacto con su departamento de TI. Indique en qué aplicación intentaba iniciar sesión, cuándo ocurrió y la referencia que aparece con este mensaje, para que puedan averiguar qué política bloqueó el acceso.",
    },
    access_denied: {
      title: "No tiene acceso",
      body: "Su organización no ha concedido a su cuenta acceso a esta aplicación o no permite este inicio de sesión.",
      action: "Si cree que debería tener acceso, póngase en contacto con su departamento de TI.",
      actionWithReference: "Si cree que debería tener acceso, póngase en contacto con su departamento de TI e indique la referencia que aparece con este mensaje.",
    },
    device_not_compliant: {
      title: "Este dispositivo no cumple los requisitos de su organización",
      body: "Su organización solo permite el acceso desde dispositivos y aplicaciones que administra o aprueba, y este dispositivo no cumple esos requisitos.",
      action: "Use un dispositivo aprobado por su organización, o registre este dispositivo y actualícelo, por ejemplo con la aplicación Portal de empresa. Si necesita ayuda, póngase en contacto con su departamento de TI.",
    },
    mfa_required: {
      title: "Se requiere una verificación adicional",
      body: "Su organización le pide que confirme su identidad con un segundo método, como una aplicación de autenticación o un mensaje de texto.",
      action: "Vuelva a iniciar sesión y complete la verificación. Si todavía no ha configurado un método de verificación, se le guiará paso a paso.",
    },
    consent_required: {
      title: "Se necesita su permiso",
      body: "Esta aplicación necesita su permiso para acceder a parte de su información antes de continuar.",
      action: "Vuelva a iniciar sesión y revise los permisos que solicita la aplicación. Acéptelos para continuar.",
    },
    admin_consent_required: {
      title: "Se requiere la aprobación de un administrador",
      body: "Esta aplicación necesita permisos que solo puede aprobar un administrador de su organización.",
      action: "Pida a su administrador de TI que apruebe esta aplicación para su organización y, después, vuelva a intentarlo.",
      actionWithReference: "Pida a su administrador de TI que apruebe esta aplicación para su organización e indíquele la referencia que aparece con este mensaje. Después, vuelva a intentarlo.",
    },
    interaction_required: {
      title: "Vuelva a iniciar sesión",
      body: "Su sesión ha caducado o ya no es válida.",
      action: "Vuelva a iniciar sesión para continuar.",
    },
    password_expired: {
      title: "Debe cambiar su contraseña",
      body: "Su contraseña ha caducado o debe cambiarse antes de continuar.",
      action: "Vuelva a iniciar sesión y siga los pasos para cambiar su contraseña. Si no funciona, póngase en contacto con su departamento de TI.",
    },
    invalid_credentials: {
      title: "Nombre de usuario o contraseña incorrectos",
      body: "El nombre de usuario o la contraseña que ha escrito no son correctos.",
      action: "Compruebe su nombre de usuario y su contraseña, y asegúrese de que Bloq Mayús no esté activado. Si ha olvidado su contraseña, restablézcala en lugar de seguir intentándolo, ya que los intentos repetidos pueden bloquear su cuenta.",
    },
    account_unavailable: {
      title: "No se puede usar esta cuenta",
      body: "La cuenta está deshabilitada, se ha eliminado o no pertenece a esta organización.",
      action: "Asegúrese de que inicia sesión con la cuenta correcta. Si es así, póngase en contacto con su departamento de TI.",
      actionWithReference: "Asegúrese de que inicia sesión con la cuenta correcta. Si es así, póngase en contacto con su departamento de TI e indique la referencia que aparece con este mensaje.",
    },
    client_misconfigured: {
      title: "Esta aplicación no está configurada correctamente",
      body: "No se pudo iniciar sesión debido a un problema en la configuración de la aplicación. No es algo que usted pueda solucionar.",
      action: "Póngase en contacto con el soporte de la aplicación o con su departamento de TI.",
      actionWithReference: "Póngase en contacto con el soporte de la aplicación o con su departamento de TI e indique la referencia que aparece con este mensaje.",
    },
    tenant_misconfigured: {
      title: "Hay un problema en la configuración de inicio de sesión de su organización",
      body: "No se pudo iniciar sesión debido a un problema en la configuración de inicio de sesión de su organización. No es algo que usted pueda solucionar.",
      action: "Póngase en contacto con su departamento de TI.",
      actionWithReference: "Póngase en contacto con su departamento de TI e indique la referencia que aparece con este mensaje.",
    },
    invalid_request: {
      title: "No se pudo completar el inicio de sesión",
      body: "Se produjo un error al procesar el inicio de sesión.",
      action: "Vuelva a iniciar sesión. Si el problema continúa, póngase en contacto con su departamento de TI.",
      actionWithReference: "Vuelva a iniciar sesión. Si el problema continúa, póngase en contacto con su departamento de TI e indique la referencia que aparece con este mensaje.",
    },
    throttled: {
      title: "Demasiadas solicitudes",
      body: "El servicio de inicio de sesión está recibiendo demasiadas solicitudes en este momento y ha pedido a esta aplicación que reduzca el ritmo.",
      action: "Espere un momento y vuelva a intentarlo.",
      actionWithWait: "Vuelva a intentarlo dentro de {wait}.",
      actionWaitOver: "Ya puede volver a intentarlo.",
    },
    transient: {
      title: "El inicio de sesión no está disponible temporalmente",
      body: "El servicio de inicio de sesión tuvo un problema temporal.",
      action: "Espere un momento y vuelva a intentarlo.",
      actionWithWait: "Vuelva a intentarlo dentro de {wait}.",
      actionWaitOver: "Ya puede volver a intentarlo.",
    },
    network: {
      title: "No se puede conectar",
      body: "No se pudo acceder al servicio de inicio de sesión. Es posible que su conexión a Internet no esté disponible o sea inestable.",
      action: "Compruebe su conexión a Internet y vuelva a intentarlo.",
    },
    user_cancelled: {
      title: "Inicio de sesión cancelado",
      body: "El inicio de sesión se canceló antes de completarse.",
      action: "Para continuar, vuelva a iniciar sesión.",
    },
    popup_blocked: {
      title: "Ventana de inicio de sesión bloqueada",
      body: "Su navegador no abrió la ventana de inicio de sesión.",
      action: "Permita las ventanas emergentes para este sitio y vuelva a intentarlo.",
    },
    unknown: {
      title: "No se pudo iniciar sesión",
      body: "Se produjo un error durante el inicio de sesión.",
      action: "Vuelva a intentarlo más tarde. Si el problema continúa, póngase en contacto con su departamento de TI.",
      actionWithReference: "Vuelva a intentarlo más tarde. Si el problema continúa, póngase en contacto con su departamento de TI e indique la referencia que aparece con este mensaje.",
    },
  },
  retryLabel: "Reintentar",
  reference: {
    code: "Código de error: {value}",
    correlationId: "Id. de correlación: {value}",
    time: "Hora: {value}",
    policies: "Directiva: {value}",
    separator: " · ",
  },
  wait: {
    approximately: "aproximadamente {duration}",
    seconds: { one: "{n} segundo", other: "{n} segundos" },
    minutes: { one: "{n} minuto", other: "{n} minutos" },
    hours: { one: "{n} hora", other: "{n} horas" },
  },
};
