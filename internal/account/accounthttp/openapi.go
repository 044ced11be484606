package accounthttp

import (
	"slices"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	authTag, me, seller, addr, admin := []string{"auth"}, []string{"me"}, []string{"seller"}, []string{"address"}, []string{"admin"}
	noStore := []rest.Param{{Name: "Cache-Control", Description: "no-store: token responses are never cached"}}
	adminOnly := []auth.Role{auth.Admin}
	userStatus := rest.Param{Name: "status", Description: "only users of this status", Enum: []string{"active", "suspended"}}
	ops := []rest.Op{
		{
			ID: "register", Method: "POST", Path: "/api/v1/auth/register", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Sign up as a customer or seller and sign in",
			Description: "Creates the account (role customer or seller; other roles are made by an admin) and returns a session. Passwords are 8 to 128 characters. " +
				"A link to confirm the address is mailed (user.email_verified is false until it is opened); sellers list products only once confirmed. " +
				"Sets the HttpOnly bazaar_device cookie that recognises this browser at later sign-ins.",
			Request: registerRequest{}, Response: account.Session{}, Status: 201, Headers: noStore,
			Errors: []int{409}, // email_taken
		},
		{
			ID: "login", Method: "POST", Path: "/api/v1/auth/login", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Sign in with e-mail and password",
			Description: "Returns an access token and a rotating refresh token. Failed attempts are limited per account and per client address (429 with Retry-After). " +
				"A sign-in from a device not seen before (bazaar_device cookie, or user agent on the client's network) is mailed to the user.",
			Request: loginRequest{}, Response: account.Session{}, Headers: noStore,
			Errors: []int{401, 429}, // invalid_credentials, account_suspended; rate_limited
		},
		{
			ID: "refresh", Method: "POST", Path: "/api/v1/auth/refresh", Tags: authTag, Auth: rest.AuthNone,
			Summary:     "Exchange a refresh token for a new session",
			Description: "The refresh token is rotated: the old one stops working. Presenting an already used token ends the whole session family.",
			Request:     refreshRequest{}, Response: account.Session{}, Headers: noStore,
			Errors: []int{401}, // invalid_refresh_token, account_suspended
		},
		{
			ID: "logout", Method: "POST", Path: "/api/v1/auth/logout", Tags: authTag, Auth: rest.AuthNone,
			Summary:     "End the session a refresh token belongs to",
			Description: "An unknown or already revoked token is not an error.",
			Request:     refreshRequest{},
		},
		{
			ID: "verifyEmail", Method: "POST", Path: "/api/v1/auth/verify-email", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Confirm an e-mail address with the token from a mailed link",
			Description: "The token of a verification mail (valid 48 hours) marks the address verified; the token of an e-mail change's " +
				"confirmation mail (valid 24 hours, sent to the new address) moves the account to that address. Each token works once; " +
				"a newer link supersedes the older ones. An unusable token is 400 token_invalid; a new address taken meanwhile 409 email_taken.",
			Request: tokenRequest{}, Response: account.User{}, Headers: noStore,
			Errors: []int{409}, // email_taken
		},
		{
			ID: "resendVerification", Method: "POST", Path: "/api/v1/auth/verify-email/resend", Tags: authTag, Auth: rest.AuthBearer,
			Summary:     "Mail the signed-in user a fresh verification link",
			Description: "Older links stop working. An address already verified is 409 already_verified; mail to one address is limited (429).",
			Status:      202, Errors: []int{404, 409, 429},
		},
		{
			ID: "requestPasswordReset", Method: "POST", Path: "/api/v1/auth/password-reset", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Mail a password reset link",
			Description: "Always 202, after the same time, whether or not an account has the address: the answer never says. " +
				"The link is valid for an hour and once; a new request supersedes it. Requests are limited per client address (429), " +
				"mails per e-mail address (silently).",
			Request: resetRequest{}, Status: 202, Errors: []int{429},
		},
		{
			ID: "resetPassword", Method: "POST", Path: "/api/v1/auth/password-reset/confirm", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Set a new password with the token from a reset mail",
			Description: "The password follows the rules of registration (8 to 128 characters). Every session and refresh token of the account " +
				"is revoked, and the address counts as verified. An unusable token is 400 token_invalid.",
			Request: resetConfirmRequest{},
		},
		{
			ID: "oidcProviders", Method: "GET", Path: "/api/v1/auth/oidc", Tags: authTag, Auth: rest.AuthNone,
			Summary:     "The OpenID Connect providers users may sign in with",
			Description: "One \"Sign in with ...\" button each: name (for the URL) and label. Empty when none is configured.",
			Response:    providersResponse{},
		},
		{
			ID: "oidcStart", Method: "GET", Path: "/api/v1/auth/oidc/{provider}", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Start signing in with an OpenID Connect provider (a browser navigation)",
			Description: "Redirects (302) to the provider with the authorization code flow, PKCE (S256), a random state and nonce kept server-side for 10 minutes, " +
				"and sets an HttpOnly binding cookie the callback must come back with. next is the web app path to land on afterwards.",
			Params: []rest.Param{{Name: "provider", In: "path", Description: "provider name, from GET /api/v1/auth/oidc"},
				{Name: "next", Description: "a same-site path to land on after signing in"}},
			Status: 302, Headers: []rest.Param{{Name: "Location", Description: "the provider's authorization URL"}},
			Errors: []int{404, 503}, // oidc_provider_unknown; oidc_provider_unavailable
		},
		{
			ID: "oidcCallback", Method: "GET", Path: "/api/v1/auth/oidc/{provider}/callback", Tags: authTag, Auth: rest.AuthNone,
			Summary: "Where the provider sends the browser back",
			Description: "Checks the state (single use, 10 minutes, same browser), exchanges the code with the PKCE verifier and verifies the ID token " +
				"(issuer, audience, expiry, nonce). Signs in the linked user; else links an account with the provider-verified e-mail; else creates a customer. " +
				"Redirects (303) to /signin/oidc#code=... with a single-use, one-minute code for POST /api/v1/auth/oidc/exchange, " +
				"or to /signin?oidc_error=CODE (oidc_state_invalid, oidc_nonce_mismatch, oidc_token_invalid, oidc_exchange_failed, oidc_denied, " +
				"oidc_email_missing, oidc_email_unverified, oidc_provider_unknown, oidc_provider_unavailable, account_suspended, oidc_failed).",
			Params: []rest.Param{{Name: "provider", In: "path", Description: "provider name"},
				{Name: "state", Description: "the state sent to the provider"}, {Name: "code", Description: "the provider's authorization code"},
				{Name: "error", Description: "the provider's error, if the user cancelled"}},
			Status: 303, Headers: []rest.Param{{Name: "Location", Description: "/signin/oidc#code=... or /signin?oidc_error=CODE"}},
		},
		{
			ID: "oidcExchange", Method: "POST", Path: "/api/v1/auth/oidc/exchange", Tags: authTag, Auth: rest.AuthNone,
			Summary:     "Exchange a sign-in hand-off code for a session",
			Description: "The code from the callback's redirect, once, within a minute, from the browser that started the sign-in (its binding cookie).",
			Request:     exchangeRequest{}, Response: account.Session{}, Headers: noStore,
			Errors: []int{401}, // oidc_code_invalid, account_suspended
		},

		{
			ID: "me", Method: "GET", Path: "/api/v1/me", Tags: me, Auth: rest.AuthBearer,
			Summary: "The signed-in user", Response: account.User{}, Errors: []int{404},
		},
		{
			ID: "updateMe", Method: "PUT", Path: "/api/v1/me", Tags: me, Auth: rest.AuthBearer,
			Summary: "Change the signed-in user's profile", Request: profileRequest{}, Response: account.User{}, Errors: []int{404},
		},
		{
			ID: "changePassword", Method: "PUT", Path: "/api/v1/me/password", Tags: me, Auth: rest.AuthBearer,
			Summary:     "Change the signed-in user's password",
			Description: "Checks the current password and ends every session of the user, this one too: sign in again. Wrong current passwords count against the sign-in limit.",
			Request:     passwordRequest{}, Errors: []int{404, 429},
		},

		{
			ID: "changeEmail", Method: "POST", Path: "/api/v1/me/email", Tags: me, Auth: rest.AuthBearer,
			Summary: "Ask to change the signed-in user's e-mail address",
			Description: "Re-authenticates with the password (400 wrong_password; wrong ones count against the sign-in limit), then mails a " +
				"confirmation link to the new address (valid 24 hours; POST /api/v1/auth/verify-email makes the change) and a notice to the " +
				"current one. An address in use is 409 email_taken.",
			Request: emailRequest{}, Status: 202, Errors: []int{404, 409, 429},
		},

		{
			ID: "openStore", Method: "POST", Path: "/api/v1/seller", Tags: seller, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Seller},
			Summary:     "Open the signed-in seller's store",
			Description: "A user has at most one store (409 seller_exists). The slug is made from the name.",
			Request:     sellerRequest{}, Response: account.Seller{}, Status: 201, Errors: []int{409},
		},
		{
			ID: "mySeller", Method: "GET", Path: "/api/v1/seller/me", Tags: seller, Auth: rest.AuthBearer,
			Summary: "The signed-in user's store, whatever its status", Response: account.Seller{}, Errors: []int{404},
		},
		{
			ID: "seller", Method: "GET", Path: "/api/v1/seller/{id}", Tags: seller, Auth: rest.AuthOptional,
			Summary:     "A store",
			Description: "A suspended store is 404 to everyone but admins.",
			Params:      []rest.Param{{Name: "id", In: "path", Description: "seller ID (sel_...)"}},
			Response:    account.Seller{}, Errors: []int{404},
		},

		{
			ID: "addresses", Method: "GET", Path: "/api/v1/address", Tags: addr, Auth: rest.AuthBearer,
			Summary: "The signed-in user's addresses", Params: rest.PageParams(), Response: page.Page[account.Address]{}, Errors: []int{400},
		},
		{
			ID: "createAddress", Method: "POST", Path: "/api/v1/address", Tags: addr, Auth: rest.AuthBearer,
			Summary:     "Add an address",
			Description: "A user has at most 50 addresses (409 address_limit). The first address, or one with is_default, becomes the default; a new default replaces the old.",
			Request:     addressRequest{}, Response: account.Address{}, Status: 201, Errors: []int{409},
		},
		{
			ID: "address", Method: "GET", Path: "/api/v1/address/{id}", Tags: addr, Auth: rest.AuthBearer,
			Summary: "One of the signed-in user's addresses", Response: account.Address{}, Errors: []int{404},
		},
		{
			ID: "updateAddress", Method: "PUT", Path: "/api/v1/address/{id}", Tags: addr, Auth: rest.AuthBearer,
			Summary: "Replace an address", Request: addressRequest{}, Response: account.Address{}, Errors: []int{404},
		},
		{
			ID: "deleteAddress", Method: "DELETE", Path: "/api/v1/address/{id}", Tags: addr, Auth: rest.AuthBearer,
			Summary: "Delete an address", Errors: []int{404},
		},

		{
			ID: "users", Method: "GET", Path: "/api/v1/admin/user", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary: "List users",
			Params: append(rest.PageParams(),
				rest.Param{Name: "role", Description: "only users of this role", Enum: roleNames()},
				userStatus),
			Response: page.Page[account.User]{}, Errors: []int{400},
		},
		{
			ID: "createUser", Method: "POST", Path: "/api/v1/admin/user", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary: "Create a user of any role", Request: registerRequest{}, Response: account.User{}, Status: 201, Errors: []int{409},
		},
		{
			ID: "user", Method: "GET", Path: "/api/v1/admin/user/{id}", Tags: admin, Auth: rest.AuthBearer,
			Summary:     "A user",
			Description: "Admins see any user; other users only themselves (anyone else is 404).",
			Response:    account.User{}, Errors: []int{404},
		},
		{
			ID: "suspendUser", Method: "PUT", Path: "/api/v1/admin/user/{id}/suspend", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary:     "Suspend a user and end its sessions",
			Description: "Admins cannot suspend themselves (409 cannot_suspend_self).",
			Response:    account.User{}, Errors: []int{404, 409},
		},
		{
			ID: "reinstateUser", Method: "PUT", Path: "/api/v1/admin/user/{id}/reinstate", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary: "Let a suspended user sign in again", Response: account.User{}, Errors: []int{404},
		},
		{
			ID: "sellers", Method: "GET", Path: "/api/v1/admin/seller", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary:  "List stores",
			Params:   append(rest.PageParams(), rest.Param{Name: "status", Description: "only stores of this status", Enum: []string{"active", "suspended"}}),
			Response: page.Page[account.Seller]{}, Errors: []int{400},
		},
		{
			ID: "suspendSeller", Method: "PUT", Path: "/api/v1/admin/seller/{id}/suspend", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary: "Suspend a store", Response: account.Seller{}, Errors: []int{404},
		},
		{
			ID: "reinstateSeller", Method: "PUT", Path: "/api/v1/admin/seller/{id}/reinstate", Tags: admin, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary: "Let a suspended store trade again", Response: account.Seller{}, Errors: []int{404},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

func roleNames() []string {
	out := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = string(r)
	}
	return out
}

// constraints are what account's validation enforces (user.go's name and
// e-mail limits, the password rules, address.go, seller.go), and so what
// its answers hold.
func constraints() []rest.Constraint {
	email := rest.Constraint{Field: "email", Format: "email", MaxLength: 254}
	// checkName refuses control characters other than tab.
	const text = "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$"
	name := rest.Constraint{Field: "name", MinLength: 1, MaxLength: 100, Pattern: text}
	password := rest.Constraint{Field: "password", MaxLength: account.MaxPassword}
	of := func(v any, cs ...rest.Constraint) []rest.Constraint {
		for i := range cs {
			cs[i].Of = v
		}
		return cs
	}
	address := []rest.Constraint{
		name,
		{Field: "line1", MaxLength: 200, Pattern: text},
		{Field: "line2", MaxLength: 200, Pattern: text},
		{Field: "city", MaxLength: 100, Pattern: text},
		{Field: "region", MaxLength: 100, Pattern: text},
		{Field: "postal_code", MaxLength: 20, Pattern: text},
		{Field: "country", Pattern: "^[A-Za-z]{2}$", MaxLength: 2},
		{Field: "phone", Pattern: "^\\+?[0-9 ().-]*$", MaxLength: 32},
	}
	var out []rest.Constraint
	out = append(out, of(registerRequest{}, email, name,
		rest.Constraint{Field: "password", MinLength: account.MinPassword, MaxLength: account.MaxPassword})...)
	out = append(out, of(loginRequest{}, password)...)
	out = append(out, of(profileRequest{}, name)...)
	roles := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		roles[i] = string(r)
	}
	out = append(out, of(account.User{}, email, name, rest.Constraint{Field: "role", Enum: roles})...)
	out = append(out, of(addressRequest{}, slices.Clone(address)...)...)
	out = append(out, of(account.Address{}, slices.Clone(address)...)...)
	out = append(out, of(sellerRequest{}, name, rest.Constraint{Field: "description", MaxLength: 2000})...)
	out = append(out, of(account.Seller{}, name, rest.Constraint{Field: "description", MaxLength: 2000})...)
	return out
}
