package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// routesAppeals registers the appeal packets of stored claims (issue 11):
//
//	POST /v1/claims/{id}/appeals        the packet of the latest denial (201)
//	GET  /v1/claims/{id}/appeals        the claim's appeals
//	GET  /v1/claims/{id}/appeals/{n}    one appeal as JSON; {n}.html, {n}.pdf its letter
func (s *Server) routesAppeals(v1 *gin.RouterGroup) {
	v1.POST("/claims/:id/appeals", s.idempotent, s.postAppeal)
	v1.GET("/claims/:id/appeals", s.listAppeals)
	v1.GET("/claims/:id/appeals/:file", s.getAppeal)
}

// postAppeal is POST /v1/claims/{id}/appeals: body optional ({finding,
// additional_notes, contact}, application/json when present).
func (s *Server) postAppeal(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	body, ok := s.requestBody(c)
	if !ok {
		return
	}
	if len(body) > 0 && !requireType(c, "application/json") {
		return
	}
	res, err := s.svc.CreateAppeal(c.Request.Context(), tenantOf(c), id, body,
		app.AppealOptions{IdempotencyKey: c.GetHeader(IdempotencyKeyHeader)})
	var ar *app.AppealRefused
	if errors.As(err, &ar) {
		// ids, codes and counts only: the letter and the record are PHI
		s.log.Info().Str("request_id", c.GetString("request_id")).Str("claim_id", id).Str("code", ar.Problems[0].Code).
			Int("problems", len(ar.Problems)).Msg("appeal refused")
		problem(c, http.StatusUnprocessableEntity, "Appeal refused", ar.Detail, ar.Problems)
		return
	}
	var de *app.DecodeError
	if errors.As(err, &de) && len(de.Problems) > 0 {
		problem(c, de.Status, "Invalid appeal request", "The body does not match the contract: {finding, additional_notes, contact}, all optional.", de.Problems)
		return
	}
	if err != nil {
		s.fail(c, err, body)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Str("claim_id", res.ClaimID).Int("appeal", res.Appeal).
		Str("category", string(res.Category)).Int("codes", len(res.Codes)).Msg("appeal stored")
	c.Header("Location", app.AppealPath(res.ClaimID, res.Appeal, ""))
	c.PureJSON(http.StatusCreated, res)
}

func (s *Server) listAppeals(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	list, err := s.svc.ListAppeals(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.PureJSON(http.StatusOK, list)
}

// getAppeal is GET /v1/claims/{id}/appeals/{n}, {n}.html and {n}.pdf.
func (s *Server) getAppeal(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	b, ctype, err := s.svc.AppealDocument(c.Request.Context(), tenantOf(c), id, c.Param("file"))
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	// the letters hold PHI: no shared caches, no type sniffing
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	switch ctype {
	case "application/pdf": // the name is "n.pdf", checked by the service
		c.Header("Content-Disposition", `inline; filename="appeal-`+c.Param("file")+`"`)
	case "text/html; charset=utf-8":
		// the letter: no script, its own style; the console may frame it
		c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	}
	c.Data(http.StatusOK, ctype, b)
}
