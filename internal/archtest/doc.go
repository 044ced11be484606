// Package archtest holds the test that keeps the modules' dependencies as
// DESIGN.md draws them: a module's root imports only the module roots
// below it, no other module's adapters, no transport and no database/sql,
// so that REST, GraphQL and gRPC doors and any storage can sit around the
// same services. It has no code of its own.
package archtest
