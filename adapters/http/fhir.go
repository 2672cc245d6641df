package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Filled in by the FHIR work (issue 4).
func (s *Server) routesFHIR(r *gin.Engine, v1 *gin.RouterGroup) {}

func (s *Server) findingsFHIR(c *gin.Context, data []byte) {
	problem(c, http.StatusNotImplemented, "Not implemented", "FHIR output is not available yet.", nil)
}

func fhirError(c *gin.Context, status int, detail string) {
	c.AbortWithStatusJSON(status, gin.H{"resourceType": "OperationOutcome", "issue": []gin.H{{"severity": "error", "code": "processing", "diagnostics": detail}}})
}
