package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed page.html
var pageHTML []byte

//go:embed openapi.yaml
var openAPI []byte

func (s *Server) openapi(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openAPI) }

// page serves the developer test page: paste a record, an 835 or a FHIR
// Claim and see what the gateway answers. It calls the same public routes.
func (s *Server) page(c *gin.Context) {
	c.Header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/html; charset=utf-8", pageHTML)
}
