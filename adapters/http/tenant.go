package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// tenantKey is the gin context key under which the auth middleware puts
// the request's tenant.
const tenantKey = "tenant"

// tenantOf is the tenant of the request: the one its API key belongs to,
// or the local tenant when the gateway runs without keys. Every store
// query of a handler is scoped by it.
func tenantOf(c *gin.Context) string {
	if t := c.GetString(tenantKey); t != "" {
		return t
	}
	return app.LocalTenant
}

// WithService sets the application service that holds the stored claims,
// remittances and keys (the service-of-record routes need it).
func WithService(svc *app.Service) Option { return func(s *Server) { s.svc = svc } }
