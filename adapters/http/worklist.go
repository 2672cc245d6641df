package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// routesWorklist registers the denial-to-payment routes: the worklist, the
// corrected claims and the payer analytics (internal/app worklist.go,
// corrections.go, analytics.go).
func (s *Server) routesWorklist(v1 *gin.RouterGroup) {
	v1.GET("/worklist", s.getWorklist)
}

// getWorklist is GET /v1/worklist?category=&payer=&limit=&cursor=.
func (s *Server) getWorklist(c *gin.Context) {
	if !s.stored(c) {
		return
	}
	q, err := app.ParseWorklistQuery(c.Query("category"), c.Query("payer"), c.Query("limit"), c.Query("cursor"))
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	w, err := s.svc.Worklist(c.Request.Context(), tenantOf(c), "", q)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("items", len(w.Items)).Msg("worklist")
	c.PureJSON(http.StatusOK, w)
}
