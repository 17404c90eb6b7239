/**
 * Action ID families of the buttons that act on invitations and requests. A button's action_id is
 * `<family>:<suffix>` (Slack wants them unique within a block); its value is the row's ID.
 */
export const INVITATION_ACCEPT = "invitation_accept";
export const INVITATION_DECLINE = "invitation_decline";
export const INVITATION_RESEND = "invitation_resend";
export const INVITATION_REVOKE = "invitation_revoke";
export const REQUEST_APPROVE = "request_approve";
export const REQUEST_DENY = "request_deny";
/** A digest's "Request more tokens": opens the limit request form; the value is the team's ID. */
export const DIGEST_REQUEST_MORE = "digest_request_more";
