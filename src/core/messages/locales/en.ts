import type { LocaleMessages } from "../types.js";

/** English (the fallback locale). */
export const en: LocaleMessages = {
  locale: "en",
  kinds: {
    account_locked: {
      title: "Your account is temporarily locked",
      body: "For your protection, sign-in to your account has been temporarily blocked. This can happen after too many sign-in attempts or when unusual activity is detected.",
      action: "Wait a few minutes, then try again. If you need access sooner, reset your password with self-service password reset, or contact your IT support.",
      actionWithWait: "Try again in {wait}. If you need access sooner, reset your password with self-service password reset, or contact your IT support.",
      actionWaitOver: "You can try again now. If your account is still locked, reset your password with self-service password reset, or contact your IT support.",
    },
    conditional_access_blocked: {
      title: "Your organization's policy blocks this sign-in",
      body: "Your organization's security policy doesn't allow you to access this app from here. This can depend on the device, the location or network, or the app you're using. Trying again won't change this.",
      action: "Contact your IT support. Tell them which app you were signing in to and when this happened, so they can find out which policy blocked it.",
      actionWithReference: "Contact your IT support. Tell them which app you were signing in to, when this happened, and the reference shown with this message, so they can find out which policy blocked it.",
    },
    access_denied: {
      title: "You don't have access",
      body: "Your organization hasn't given your account access to this app, or doesn't allow this sign-in.",
      action: "If you think you should have access, contact your IT support.",
      actionWithReference: "If you think you should have access, contact your IT support and give them the reference shown with this message.",
    },
    device_not_compliant: {
      title: "This device doesn't meet your organization's requirements",
      body: "Your organization only allows access from devices and apps that it manages or approves, and this one doesn't meet those requirements.",
      action: "Use a device your organization has approved, or register this device and bring it up to date, for example with your company portal app. If you need help, contact your IT support.",
    },
    mfa_required: {
      title: "Additional verification required",
      body: "Your organization requires you to confirm your identity with a second method, such as an authenticator app or a text message.",
      action: "Sign in again and complete the verification. If you haven't set up a verification method yet, you'll be guided through it.",
    },
    consent_required: {
      title: "Your permission is needed",
      body: "This app needs your permission to access some of your information before it can continue.",
      action: "Sign in again and review the permissions the app asks for. Accept them to continue.",
    },
    admin_consent_required: {
      title: "Administrator approval required",
      body: "This app needs permissions that only an administrator in your organization can approve.",
      action: "Ask your IT administrator to approve this app for your organization, then try again.",
      actionWithReference: "Ask your IT administrator to approve this app for your organization, and give them the reference shown with this message. Then try again.",
    },
    interaction_required: {
      title: "Please sign in again",
      body: "Your session has expired or is no longer valid.",
      action: "Sign in again to continue.",
    },
    password_expired: {
      title: "Your password needs to be changed",
      body: "Your password has expired or must be changed before you can continue.",
      action: "Sign in again and follow the steps to change your password. If that doesn't work, contact your IT support.",
    },
    invalid_credentials: {
      title: "Incorrect user name or password",
      body: "The user name or password you entered is incorrect.",
      action: "Check your user name and password, and make sure Caps Lock is off. If you've forgotten your password, reset it rather than trying again, because repeated attempts can lock your account.",
    },
    account_unavailable: {
      title: "This account can't be used",
      body: "The account is disabled, has been removed, or doesn't belong to this organization.",
      action: "Make sure you're signing in with the right account. If you are, contact your IT support.",
      actionWithReference: "Make sure you're signing in with the right account. If you are, contact your IT support and give them the reference shown with this message.",
    },
    client_misconfigured: {
      title: "This app isn't set up correctly",
      body: "Sign-in failed because of a problem with the app's configuration. It isn't something you can fix.",
      action: "Contact the app's support team or your IT support.",
      actionWithReference: "Contact the app's support team or your IT support, and give them the reference shown with this message.",
    },
    tenant_misconfigured: {
      title: "Your organization's sign-in setup has a problem",
      body: "Sign-in failed because of a problem with your organization's sign-in configuration. It isn't something you can fix.",
      action: "Contact your IT support.",
      actionWithReference: "Contact your IT support and give them the reference shown with this message.",
    },
    invalid_request: {
      title: "Sign-in couldn't be completed",
      body: "Something went wrong while processing the sign-in.",
      action: "Start the sign-in again. If the problem continues, contact your IT support.",
      actionWithReference: "Start the sign-in again. If the problem continues, contact your IT support and give them the reference shown with this message.",
    },
    throttled: {
      title: "Too many requests",
      body: "The sign-in service is receiving too many requests right now and has asked this app to slow down.",
      action: "Wait a moment, then try again.",
      actionWithWait: "Try again in {wait}.",
      actionWaitOver: "You can try again now.",
    },
    transient: {
      title: "Sign-in is temporarily unavailable",
      body: "The sign-in service had a temporary problem.",
      action: "Wait a moment, then try again.",
      actionWithWait: "Try again in {wait}.",
      actionWaitOver: "You can try again now.",
    },
    network: {
      title: "Can't connect",
      body: "The sign-in service couldn't be reached. Your internet connection may be offline or unstable.",
      action: "Check your internet connection, then try again.",
    },
    user_cancelled: {
      title: "Sign-in cancelled",
      body: "The sign-in was cancelled before it finished.",
      action: "To continue, start the sign-in again.",
    },
    popup_blocked: {
      title: "Sign-in window blocked",
      body: "Your browser didn't open the sign-in window.",
      action: "Allow pop-ups for this site, then try again.",
    },
    unknown: {
      title: "Sign-in failed",
      body: "Something went wrong during sign-in.",
      action: "Try again later. If the problem continues, contact your IT support.",
      actionWithReference: "Try again later. If the problem continues, contact your IT support and give them the reference shown with this message.",
    },
  },
  retryLabel: "Try again",
  reference: {
    code: "Error code: {value}",
    correlationId: "Correlation ID: {value}",
    time: "Time: {value}",
    policies: "Policy: {value}",
    separator: " · ",
  },
  wait: {
    approximately: "about {duration}",
    seconds: { one: "{n} second", other: "{n} seconds" },
    minutes: { one: "{n} minute", other: "{n} minutes" },
    hours: { one: "{n} hour", other: "{n} hours" },
  },
};
