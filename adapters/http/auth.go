package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// protected tells whether a path needs a tenant: every /v1 and /fhir route
// (the ones that exist and the ones that do not, so an unknown route tells a
// caller without a key nothing). /livez, /readyz, /metrics, the test page,
// its assets and /openapi.yaml stay open.
func protected(path string) bool {
	if path == "/fhir/metadata" {
		// a FHIR client reads the CapabilityStatement before it
		// authenticates (it names no data)
		return false
	}
	return path == "/v1" || strings.HasPrefix(path, "/v1/") || path == "/fhir" || strings.HasPrefix(path, "/fhir/")
}

// auth resolves the request's tenant (app.Service.ResolveTenant) and puts it
// under tenantKey: in local mode (no API key was ever created) a request
// without a key is the local tenant; otherwise it needs
// "Authorization: Bearer KEY" and an unknown, revoked or missing key is a
// 401 (problem JSON, an OperationOutcome under /fhir/) with
// WWW-Authenticate: Bearer. The key is never logged. Without a service (a
// stateless gateway in tests) every request passes as the local tenant.
func (s *Server) auth(c *gin.Context) {
	if s.svc == nil || !protected(c.Request.URL.Path) {
		c.Next()
		return
	}
	bearer, ok := bearerToken(c.GetHeader("Authorization"))
	if !ok {
		unauthenticated(c)
		return
	}
	tenant, err := s.svc.ResolveTenant(c.Request.Context(), bearer)
	if errors.Is(err, app.ErrUnauthenticated) {
		unauthenticated(c)
		return
	}
	if err != nil {
		// the store's error: no key, no body in it (the lookup is by hash)
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("cause", err.Error()).Msg("tenant lookup failed")
		internalError(c)
		return
	}
	if tenant != app.LocalTenant { // tenantOf reads no tenant as the local one
		c.Set(tenantKey, tenant)
	}
	c.Next()
}

// bearerToken reads an Authorization header: "" and true when there is
// none; the key and true for "Bearer KEY" (scheme case-insensitive); false
// for any other scheme or an empty key.
func bearerToken(h string) (string, bool) {
	if h == "" {
		return "", true
	}
	scheme, key, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	return key, key != ""
}

func unauthenticated(c *gin.Context) {
	c.Header("WWW-Authenticate", "Bearer")
	problem(c, http.StatusUnauthorized, "Unauthenticated",
		"Send an API key of this gateway as Authorization: Bearer KEY (casebridge keys create).",
		one("UNAUTHENTICATED", "", "The API key is missing, unknown or revoked."))
}
