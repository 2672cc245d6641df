package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// routesWorklist registers the denial-to-payment routes: the worklist, the
// corrected claims and the payer analytics (internal/app worklist.go,
// corrections.go, analytics.go).
func (s *Server) routesWorklist(v1 *gin.RouterGroup) {
	v1.GET("/worklist", s.getWorklist)
	v1.POST("/claims/:id/corrections", s.idempotent, s.postCorrection)
	v1.GET("/analytics", s.getAnalytics)
}

// getAnalytics is GET /v1/analytics?from=&to=&payer=&code=.
func (s *Server) getAnalytics(c *gin.Context) {
	if !s.stored(c) {
		return
	}
	q, err := app.ParseAnalyticsQuery(c.Query("from"), c.Query("to"), c.Query("payer"), c.Query("code"))
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	a, err := s.svc.Analytics(c.Request.Context(), tenantOf(c), "", q)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("rows", len(a.Rows)).Int("payers", len(a.Payers)).Msg("analytics")
	c.PureJSON(http.StatusOK, a)
}

// postCorrection is POST /v1/claims/{id}/corrections: a JSON merge patch
// (application/merge-patch+json or application/json) of the stored record;
// the replacement (or void) answered as POST /v1/claims (201 or 422 with
// the SubmitResult and Location); 422 problem JSON when refused before
// anything is stored (no payer claim number yet, …); 404 another tenant's.
func (s *Server) postCorrection(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	opts, ok := s.submitOptions(c)
	if !ok {
		return
	}
	if !requireType(c, "application/merge-patch+json", "application/json") {
		return
	}
	body, ok := s.requestBody(c)
	if !ok {
		return
	}
	res, err := s.svc.CorrectClaim(c.Request.Context(), tenantOf(c), id, body, opts)
	var ce *app.CorrectionError
	if errors.As(err, &ce) {
		problem(c, http.StatusUnprocessableEntity, "Correction refused", "The claim cannot be corrected now.", ce.Problems())
		return
	}
	if err != nil {
		s.fail(c, err, body)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Str("claim_id", res.ID).Str("replaces", id).
		Str("status", string(res.Status)).Int("problems", len(res.Problems)).Msg("correction stored")
	s.metrics.claimStored(string(res.Status))
	c.Header("Location", res.Location())
	c.PureJSON(res.HTTPStatus(), res)
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
