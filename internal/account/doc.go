// Package account owns who is on the marketplace: users and their roles,
// sign-in (Argon2id passwords, short-lived access tokens, rotating refresh
// tokens with reuse detection, failed-login rate limits, "Sign in with ..."
// any OpenID Connect provider), sellers (stores) and
// customers' addresses.
//
// Tables (accountsql):
//   - account_users: id, email (unique), name, role, status, password_hash, email_verified, created_at, updated_at
//   - account_sessions: one per sign-in (refresh-token family): id, user_id, created_at, revoked_at
//   - account_refresh_tokens: SHA-256 of each refresh token, its session, expires_at, used_at
//   - account_sellers: id, user_id (unique), name, slug (unique), description, status, created_at, updated_at
//   - account_addresses: id, user_id, the postal fields, is_default (at most one per user)
//   - account_identities: OpenID Connect links: (provider, subject) -> user_id, email at link time
//   - account_oidc_flows: started OIDC sign-ins: SHA-256 of the state, nonce, PKCE verifier,
//     SHA-256 of the browser binding cookie, redirect URL, next path, expires_at (single use)
//   - account_oidc_handoffs: finished OIDC sign-ins: SHA-256 of the hand-off code, user_id,
//     binding hash, expires_at (single use, one minute)
//   - account_mail_tokens: SHA-256 of each mailed token, user_id, purpose (verify_email,
//     reset_password, change_email), the address it was sent to, expires_at, used_at
//     (single use; a new one of a purpose deletes the user's unused older ones)
//   - account_devices: (user_id, SHA-256 of a device cookie or of a user agent on a
//     network), first and last seen, for the "new sign-in" notice
//
// Mail (verification and reset links, e-mail change, new sign-in) goes out
// through the Mailer the composition root gives (notify's outbox); a mailed
// token is a credential and is never published, logged or put in an inbox.
//
// Events published (payloads in event.go; never password hashes or tokens):
//   - account.user.registered.v1   UserRegistered
//   - account.user.suspended.v1    UserStatusChanged
//   - account.user.reinstated.v1   UserStatusChanged
//   - account.seller.created.v1    SellerCreated
//   - account.seller.suspended.v1  SellerStatusChanged
//   - account.seller.reinstated.v1 SellerStatusChanged
//
// Events consumed: none.
package account
