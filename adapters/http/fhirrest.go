package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
)

// routesFHIRREST registers the FHIR REST interactions on the stored claims
// (the CapabilityStatement lists exactly these): Claim create (conditional
// with If-None-Exist), read and search-type; ClaimResponse search-type. They
// are scoped by tenantOf(c); every answer is FHIR JSON, errors
// OperationOutcomes.
func (s *Server) routesFHIRREST(r *gin.Engine) {
	f := r.Group("/fhir")
	f.POST("/Claim", s.idempotent, s.fhirCreateClaim)
	f.GET("/Claim", s.fhirSearchClaims)
	f.GET("/Claim/:id", s.fhirReadClaim)
	f.GET("/Claim/:id/_history/:vid", s.fhirReadClaim) // vread: the Location of a create
	f.GET("/ClaimResponse", s.fhirSearchClaimResponses)
}

// fhirBase is the FHIR base URL of the request (fullUrl and links).
func fhirBase(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + "/fhir"
}

// lenient tells whether the request asks unknown search parameters to be
// ignored (Prefer: handling=lenient).
func lenient(c *gin.Context) bool {
	for _, h := range c.Request.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "handling") && strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"`), "lenient") {
				return true
			}
		}
	}
	return false
}

// haveService answers 503 when the gateway runs without a store.
func (s *Server) haveService(c *gin.Context) bool {
	if s.svc == nil {
		fhirError(c, http.StatusServiceUnavailable, "The gateway runs without a claim store: the FHIR REST interactions are not available.")
		return false
	}
	return true
}

// fhirFail answers an error of the app layer as an OperationOutcome: its
// own (FHIRError) or one following app.HTTPStatus. A 5xx is logged with
// its cause (store errors name no data) and shown as a plain internal error.
func (s *Server) fhirFail(c *gin.Context, err error) {
	var fe *app.FHIRError
	if errors.As(err, &fe) {
		s.writeOutcome(c, fe.Status, fe.Outcome)
		return
	}
	var oe *app.OptionError
	if errors.As(err, &oe) {
		// our own wording, naming the parameter: no input is quoted
		s.writeOutcome(c, http.StatusBadRequest, &fhir.Outcome{Issues: []fhir.Issue{{Severity: "error", Code: "invalid",
			Rule: "QUERY_" + strings.ToUpper(oe.Option), Details: oe.Option + " " + oe.Msg}}})
		return
	}
	status := app.HTTPStatus(err)
	switch {
	case status == http.StatusNotFound:
		fhirError(c, status, "No such resource.")
	case status >= 400 && status < 500:
		fhirError(c, status, "The request cannot be used.")
	default:
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("route", c.FullPath()).Str("cause", err.Error()).Msg("fhir rest request failed")
		fhirError(c, http.StatusInternalServerError, "The gateway failed; the request id identifies it in the logs.")
	}
}

// writeOutcome sends an OperationOutcome and logs its PHI-free issue rules.
func (s *Server) writeOutcome(c *gin.Context, status int, out *fhir.Outcome) {
	body, err := fhir.Marshal(out.Resource(), false)
	if err != nil {
		internalError(c)
		return
	}
	rules := make([]string, 0, len(out.Issues))
	for _, i := range out.Log() {
		rules = append(rules, i.Rule)
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("status", status).Strs("issue_rules", rules).Msg("fhir")
	c.Abort()
	c.Data(status, fhir.ContentTypeFHIR, body)
}

// sendClaim answers a stored Claim with its version headers.
func sendClaim(c *gin.Context, status int, res *app.FHIRCreated) {
	c.Header("ETag", `W/"`+app.FHIRVersionID+`"`)
	c.Header("Last-Modified", res.LastModified.UTC().Format(http.TimeFormat))
	c.Header("Content-Location", res.Location())
	c.Data(status, fhir.ContentTypeFHIR, res.Claim)
}

// fhirCreateClaim is POST /fhir/Claim: 201 with Location for a created
// (accepted) Claim, 200 with the existing one when If-None-Exist matched
// one, 412 when it matched several, 422 when the claim is not accepted
// (mapping or scrub errors), 400/415 for a body that is not a FHIR Claim.
// Query parameters: profile and usage, as on POST /v1/claims.
func (s *Server) fhirCreateClaim(c *gin.Context) {
	if !s.haveService(c) {
		return
	}
	if !fhir.AcceptableContentType(c.GetHeader("Content-Type")) {
		s.writeOutcome(c, http.StatusUnsupportedMediaType, &fhir.Outcome{Issues: []fhir.Issue{{Severity: "error", Code: "not-supported",
			Rule: fhir.RuleContentType, Details: "Send the body as application/fhir+json."}}})
		return
	}
	data, ok := s.requestBody(c)
	if !ok {
		return
	}
	opts := app.SubmitOptions{Profile: c.Query("profile"), Usage: c.Query("usage"), IdempotencyKey: c.GetHeader(IdempotencyKeyHeader)}
	res, err := s.svc.CreateFHIRClaim(c.Request.Context(), tenantOf(c), data, opts, c.GetHeader("If-None-Exist"))
	if err != nil {
		s.fhirFail(c, err)
		return
	}
	if res.Created {
		c.Header("Location", res.Location())
	}
	sendClaim(c, res.HTTPStatus(), res)
}

// fhirReadClaim is GET /fhir/Claim/{id}: 200, or 404 for an unknown id,
// another tenant's claim or a rejected one.
func (s *Server) fhirReadClaim(c *gin.Context) {
	if strings.HasPrefix(c.Param("id"), "$") {
		// GET /fhir/Claim/$x12, $validate: the operations take POST
		c.Header("Allow", http.MethodPost)
		fhirError(c, http.StatusMethodNotAllowed, "This route does not accept that method.")
		return
	}
	if !s.haveService(c) {
		return
	}
	// stored Claims are never updated: version 1 is the only one
	if vid, vread := c.Params.Get("vid"); vread && vid != "1" {
		fhirError(c, http.StatusNotFound, "No such version: stored Claims have only version 1.")
		return
	}
	res, err := s.svc.ReadFHIRClaim(c.Request.Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		s.fhirFail(c, err)
		return
	}
	sendClaim(c, http.StatusOK, res)
}

// fhirSearchClaims is GET /fhir/Claim?identifier=&_count=&_cursor=.
func (s *Server) fhirSearchClaims(c *gin.Context) {
	if !s.haveService(c) {
		return
	}
	q, err := app.ParseFHIRClaimSearch(c.Request.URL.Query(), lenient(c))
	if err != nil {
		s.fhirFail(c, err)
		return
	}
	body, err := s.svc.SearchFHIRClaims(c.Request.Context(), tenantOf(c), q, fhirBase(c))
	if err != nil {
		s.fhirFail(c, err)
		return
	}
	c.Data(http.StatusOK, fhir.ContentTypeFHIR, body)
}

// fhirSearchClaimResponses is GET /fhir/ClaimResponse?request=Claim/{id}.
func (s *Server) fhirSearchClaimResponses(c *gin.Context) {
	if !s.haveService(c) {
		return
	}
	base := fhirBase(c)
	q, err := app.ParseFHIRClaimResponseSearch(c.Request.URL.Query(), base, lenient(c))
	if err != nil {
		s.fhirFail(c, err)
		return
	}
	body, err := s.svc.SearchFHIRClaimResponses(c.Request.Context(), tenantOf(c), q, base)
	if err != nil {
		s.fhirFail(c, err)
		return
	}
	c.Data(http.StatusOK, fhir.ContentTypeFHIR, body)
}
