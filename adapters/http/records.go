package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/record"
)

// routesStored registers the service-of-record routes: stored claims,
// remittances and timelines (internal/app.Service; see its route table).
// They are registered whether or not the server has a service (the router's
// route list is the OpenAPI document's); without one they answer 503.
func (s *Server) routesStored(v1 *gin.RouterGroup) {
	v1.POST("/claims", s.idempotent, s.postClaim)
	v1.GET("/claims", s.listClaims)
	v1.GET("/claims/:id", s.getClaim)
	v1.GET("/claims/:id/837d", s.getClaimX12)
	v1.GET("/claims/:id/fhir", s.getClaimFHIR)
	v1.GET("/claims/:id/timeline", s.getTimeline)
	v1.POST("/remittances", s.idempotent, s.postRemittance)
	v1.GET("/remittances/:id", s.getRemittance)
	v1.GET("/remittances/:id/findings", s.getRemittanceFindings)
	v1.GET("/remittances/:id/835", s.getRemittanceX12)
}

// stored checks that the server has a service; false means a 503 was sent.
func (s *Server) stored(c *gin.Context) bool {
	if s.svc != nil {
		return true
	}
	problem(c, http.StatusServiceUnavailable, "No store", "This gateway runs without a store.", one("NO_STORE", "", "Start the gateway with casebridge serve."))
	return false
}

// staticSiblings are the POST-only routes beside GET /v1/claims/{id} and
// GET /v1/remittances/{id}: a GET on them is a 405, as before these routes
// existed, not a claim that is not found.
var staticSiblings = map[string]bool{"/v1/claims/837d": true, "/v1/claims/batch": true, "/v1/claims/fhir": true, "/v1/remittances/findings": true}

// idParam is the path id; false means an answer was sent.
func (s *Server) idParam(c *gin.Context) (string, bool) {
	if staticSiblings[c.Request.URL.Path] {
		problem(c, http.StatusMethodNotAllowed, "Method not allowed", "This route does not accept that method.", nil)
		return "", false
	}
	return c.Param("id"), s.stored(c)
}

// submitOptions reads POST /v1/claims's query parameters: profile, at,
// usage and newlines as on POST /v1/claims/837d. A stored claim's control
// number always comes from the store, so control_number is refused.
func (s *Server) submitOptions(c *gin.Context) (app.SubmitOptions, bool) {
	if _, ok := c.GetQuery("control_number"); ok {
		badQuery(c, &app.OptionError{Option: "control_number", Msg: "a stored claim's control number is drawn from the store; leave it out"})
		return app.SubmitOptions{}, false
	}
	o := app.SubmitOptions{Profile: c.Query("profile"), Usage: c.Query("usage"), NewlineAfterSegment: c.Query("newlines") == "true",
		IdempotencyKey: c.GetHeader(IdempotencyKeyHeader)}
	if at := c.Query("at"); at != "" {
		t, ok := s.atParam(c)
		if !ok {
			return o, false
		}
		o.At = t
	}
	return o, true
}

// postClaim is POST /v1/claims: a case record (application/json) or a FHIR
// Claim or Bundle (application/fhir+json) stored as a claim. 201 submitted,
// 422 stored as rejected (scrub errors), both with the SubmitResult and
// Location.
func (s *Server) postClaim(c *gin.Context) {
	if !s.stored(c) {
		return
	}
	opts, ok := s.submitOptions(c)
	if !ok {
		return
	}
	mt := mediaType(c)
	if mt != "application/json" && mt != fhir.ContentTypeFHIR {
		requireType(c, "application/json", fhir.ContentTypeFHIR)
		return
	}
	body, ok := s.requestBody(c)
	if !ok {
		return
	}
	var res *app.SubmitResult
	var err error
	if mt == fhir.ContentTypeFHIR {
		res, err = s.svc.SubmitFHIR(c.Request.Context(), tenantOf(c), body, opts)
	} else {
		res, err = s.svc.SubmitRecord(c.Request.Context(), tenantOf(c), body, opts)
	}
	if err != nil {
		s.fail(c, err, body)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Str("claim_id", res.ID).Str("status", string(res.Status)).
		Int("problems", len(res.Problems)).Msg("claim stored")
	s.metrics.claimStored(string(res.Status))
	c.Header("Location", res.Location())
	c.PureJSON(res.HTTPStatus(), res)
}

func (s *Server) listClaims(c *gin.Context) {
	if !s.stored(c) {
		return
	}
	q, err := app.ParseClaimQuery(c.Query("status"), c.Query("record_id"), c.Query("limit"), c.Query("cursor"))
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	list, err := s.svc.ListClaims(c.Request.Context(), tenantOf(c), q)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.PureJSON(http.StatusOK, list)
}

func (s *Server) getClaim(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	d, err := s.svc.GetClaim(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.PureJSON(http.StatusOK, d)
}

func (s *Server) getClaimX12(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	b, err := s.svc.ClaimX12(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.Data(http.StatusOK, "application/edi-x12", b)
}

func (s *Server) getClaimFHIR(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	b, err := s.svc.ClaimFHIR(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.Data(http.StatusOK, fhir.ContentTypeFHIR, b)
}

func (s *Server) getTimeline(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	t, err := s.svc.Timeline(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.PureJSON(http.StatusOK, t)
}

// postRemittance is POST /v1/remittances: an 835 stored, its claims matched
// to stored ones (201 RemittanceResult with Location).
func (s *Server) postRemittance(c *gin.Context) {
	if !s.stored(c) || !requireType(c, x12Types...) {
		return
	}
	body, ok := s.requestBody(c)
	if !ok {
		return
	}
	res, err := s.svc.SubmitRemittance(c.Request.Context(), tenantOf(c), body,
		app.RemittanceOptions{IdempotencyKey: c.GetHeader(IdempotencyKeyHeader)})
	if err != nil {
		s.fail(c, err, body)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Str("remittance_id", res.ID).Int("claims", res.Claims).
		Int("matched", res.Matched).Msg("remittance stored")
	if rep, err := s.svc.RemittanceFindings(c.Request.Context(), tenantOf(c), res.ID); err == nil {
		s.metrics.findingsOf(rep)
	}
	c.Header("Location", res.Location())
	c.PureJSON(http.StatusCreated, res)
}

func (s *Server) getRemittance(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	d, err := s.svc.GetRemittance(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.PureJSON(http.StatusOK, d)
}

func (s *Server) getRemittanceFindings(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	b, err := s.svc.RemittanceFindings(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.Data(http.StatusOK, "application/json", b)
}

func (s *Server) getRemittanceX12(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	b, err := s.svc.RemittanceX12(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.Data(http.StatusOK, "application/edi-x12", b)
}

// fail renders an error of the service: a body that cannot be read as the
// stateless routes render it (JSON syntax with its byte offset, record shape
// problems, FHIR as an OperationOutcome, X12 with its segment), a bad option
// 400, and app.HTTPStatus for the rest. A 5xx logs its cause (the store's
// error: no request data) and shows none.
func (s *Server) fail(c *gin.Context, err error, body []byte) {
	var de *app.DecodeError
	var oe *app.OptionError
	switch {
	case errors.As(err, &de):
		s.decodeFailed(c, de, body)
		return
	case errors.As(err, &oe):
		badQuery(c, oe)
		return
	}
	switch st := app.HTTPStatus(err); st {
	case http.StatusNotFound:
		problem(c, st, "Not found", "No such object.", one("NOT_FOUND", "", "No object with this id."))
	case http.StatusBadRequest:
		code := "INVALID"
		if errors.Is(err, app.ErrBadCursor) {
			code = "BAD_CURSOR"
		}
		problem(c, st, "Bad request", "The request cannot be honoured as sent.", one(code, "", "A parameter is not usable."))
	case http.StatusUnauthorized:
		unauthenticated(c)
	case http.StatusConflict:
		problem(c, st, "Conflict", "The object already exists.", one("CONFLICT", "", "The object already exists."))
	case http.StatusUnprocessableEntity:
		if errors.Is(err, app.ErrIdempotencyKeyReused) {
			keyReused(c)
			return
		}
		fallthrough
	default:
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("route", c.FullPath()).Str("cause", err.Error()).Msg("service failed")
		internalError(c)
	}
}

// decodeFailed renders a body the service could not read.
func (s *Server) decodeFailed(c *gin.Context, de *app.DecodeError, body []byte) {
	var xe *x12.Error
	switch {
	case de.FHIR != nil:
		out, err := fhir.Marshal(de.FHIR.Resource(), false)
		if err != nil {
			internalError(c)
			return
		}
		rules := make([]string, 0, len(de.FHIR.Issues))
		for _, i := range de.FHIR.Log() {
			rules = append(rules, i.Rule)
		}
		s.log.Info().Str("request_id", c.GetString("request_id")).Int("status", de.Status).Strs("issue_rules", rules).Msg("fhir refused")
		c.Abort()
		c.Data(de.Status, fhir.ContentTypeFHIR, out)
	case de.Status == http.StatusRequestEntityTooLarge:
		tooLarge(c, s.cfg.MaxBodyBytes)
	case errors.As(de.Err, &xe):
		x12Problem(c, de.Err)
	case de.Syntax != nil:
		if fhir.JSONSyntax(body) != nil {
			jsonSyntax(c, body)
			return
		}
		off := de.Syntax.Offset
		problemWith(c, http.StatusBadRequest, "Malformed JSON", "The body is not a JSON object.", []ProblemError{{
			Problem: record.Problem{Severity: record.SeverityError, Code: "JSON_SYNTAX", Message: "The body must be one JSON object of UTF-8 text."},
			Offset:  &off,
		}})
	case len(de.Problems) > 0:
		problem(c, de.Status, "Invalid record", "The record does not match the contract.", de.Problems)
	default:
		problem(c, de.Status, "Unreadable body", "The body could not be read as what this route takes.", nil)
	}
}
