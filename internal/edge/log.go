package edge

import (
	"log/slog"
	"net/http"

	"github.com/bazaar-market/bazaar/internal/rest"
)

func logger(r *http.Request) *slog.Logger { return rest.Logger(r.Context()) }
