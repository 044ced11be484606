// Package web holds Bazaar's web UI: the React + TypeScript app in this
// folder, built by Vite into dist/ and embedded in the binary so that
// `bazaar serve` alone serves the shop. internal/server mounts it at /.
//
// Build it with `make web` (npm ci && npm run build). On a clone where it
// has not been built, dist/ holds only .keep and Built reports false; the
// API works all the same.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built UI: index.html at its root and the hashed bundles
// under assets/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	return sub
}

// Built reports whether the UI was built into dist/ before the binary was.
func Built() bool {
	_, err := fs.Stat(Dist(), "index.html")
	return err == nil
}
