package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
)

// Version is the software version the CapabilityStatement reports.
var Version = "0.1.0"

func (s *Server) routesFHIR(r *gin.Engine, v1 *gin.RouterGroup) {
	f := r.Group("/fhir")
	f.GET("/metadata", s.fhirMetadata)
	f.POST("/Claim/$x12", s.fhirClaimX12)
	f.POST("/Claim/$validate", s.fhirValidate)
	v1.POST("/claims/fhir", s.recordToFHIR)
}

// writeFHIR sends an adapter answer and logs its PHI-free issues.
func (s *Server) writeFHIR(c *gin.Context, resp fhir.Response) {
	if resp.Status >= 500 || resp.Body == nil {
		ev := s.log.Error().Str("request_id", c.GetString("request_id")).Int("status", resp.Status)
		if resp.Cause != nil {
			ev = ev.Str("cause", resp.Cause.Error())
		}
		ev.Msg("fhir request failed")
		internalError(c)
		return
	}
	ev := s.log.Info().Str("request_id", c.GetString("request_id")).Int("status", resp.Status)
	if issues := resp.Log(); len(issues) > 0 {
		codes := make([]string, 0, len(issues))
		for _, i := range issues {
			codes = append(codes, i.Rule)
		}
		ev = ev.Strs("issue_rules", codes)
	}
	ev.Msg("fhir")
	c.Header("Casebridge-Warnings", strconv.Itoa(resp.Warnings()))
	c.Data(resp.Status, resp.ContentType, resp.Body)
}

func (s *Server) fhirMetadata(c *gin.Context) {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	body, err := fhir.CapabilityStatement(scheme+"://"+c.Request.Host+"/fhir", Version)
	if err != nil {
		internalError(c)
		return
	}
	c.Data(http.StatusOK, fhir.ContentTypeFHIR, body)
}

func (s *Server) fhirClaimX12(c *gin.Context) {
	prof, opts, ok := s.envelope(c)
	if !ok {
		return
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	ctype := c.GetHeader("Content-Type")
	s.writeFHIR(c, app.ClaimToX12(data, ctype, prof, opts))
}

func (s *Server) fhirValidate(c *gin.Context) {
	prof, ok := s.profileParam(c)
	if !ok {
		return
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	s.writeFHIR(c, app.ValidateClaim(data, c.GetHeader("Content-Type"), prof, s.now().UTC()))
}

// atParam reads ?at= (RFC 3339), defaulting to the clock.
func (s *Server) atParam(c *gin.Context) (time.Time, bool) {
	t, err := app.ParseTime(c.Query("at"), s.now())
	var oe *app.OptionError
	if errors.As(err, &oe) {
		badQuery(c, oe)
		return time.Time{}, false
	}
	return t, true
}

// recordToFHIR is POST /v1/claims/fhir: a case record in, the Bundle out.
func (s *Server) recordToFHIR(c *gin.Context) {
	prof, ok := s.profileParam(c)
	if !ok {
		return
	}
	at, ok := s.atParam(c)
	if !ok {
		return
	}
	data, ok := s.recordBody(c)
	if !ok {
		return
	}
	out, probs, err := app.RecordToBundle(data, prof, at, false)
	if decodeFailed(c, data, err) {
		return
	}
	if probs.HasErrors() {
		problem(c, http.StatusUnprocessableEntity, "Record has errors", "The record cannot be billed as it is.", probs)
		return
	}
	if err != nil || out == nil {
		s.log.Error().Str("request_id", c.GetString("request_id")).Msg("FHIR mapping failed after a clean scrub")
		internalError(c)
		return
	}
	c.Header("Casebridge-Warnings", strconv.Itoa(len(probs.Warnings())))
	c.Data(http.StatusOK, fhir.ContentTypeFHIR, out)
}

// findingsFHIR is POST /v1/remittances/findings?format=fhir. The Bundle
// (≈ 30 bytes of JSON per byte of 835) is streamed: up to fhirHold bytes
// are held so that a small answer goes out whole with its
// Casebridge-Warnings header; past that, the answer starts with the
// header announced as a trailer (the warnings are known only at the end)
// and memory stays at about one claim's resources. An unreadable 835 is
// found before the first byte (422); a failure after output began breaks
// the connection, so no client takes a cut Bundle for a whole one.
func (s *Server) findingsFHIR(c *gin.Context, data []byte) {
	at, ok := s.atParam(c)
	if !ok {
		return
	}
	out := &trailedOK{c: c, ctype: fhir.ContentTypeFHIR, trailer: "Casebridge-Warnings", hold: fhirHold}
	st, err := app.StreamRemitFHIR(out, data, at)
	switch {
	case err == nil:
		out.finish(strconv.Itoa(app.RemitWarningCount(st.Warnings)))
	case !st.Started && !out.started && app.Unreadable(err):
		x12Problem(c, err)
	case !out.started:
		s.log.Error().Str("request_id", c.GetString("request_id")).Msg("835 FHIR mapping failed")
		internalError(c)
	default:
		s.log.Error().Str("request_id", c.GetString("request_id")).Msg("835 FHIR mapping failed after output began: connection broken")
		panic(http.ErrAbortHandler)
	}
}

// fhirHold is how much of a FHIR answer is held for its headers.
const fhirHold = 1 << 20

// trailedOK answers 200: whole, with its trailer field as a header, when
// the body stays within hold; else streamed, the field sent as a trailer.
type trailedOK struct {
	c       *gin.Context
	ctype   string
	trailer string
	hold    int
	held    []byte
	started bool
}

func (t *trailedOK) Write(p []byte) (int, error) {
	if !t.started && len(t.held)+len(p) <= t.hold {
		t.held = append(t.held, p...)
		return len(p), nil
	}
	if !t.started {
		t.started = true
		t.c.Header("Content-Type", t.ctype)
		t.c.Header("Trailer", t.trailer)
		t.c.Status(http.StatusOK)
		if _, err := t.c.Writer.Write(t.held); err != nil {
			return 0, err
		}
		t.held = nil
	}
	return t.c.Writer.Write(p)
}

// finish ends the answer with value as the trailer field.
func (t *trailedOK) finish(value string) {
	if t.started {
		t.c.Writer.Header().Set(t.trailer, value)
		return
	}
	t.c.Header(t.trailer, value)
	t.c.Data(http.StatusOK, t.ctype, t.held)
}

// fhirError answers an OperationOutcome for gateway-level failures under
// /fhir/ (404, 405, 413, 500): FHIR clients expect one for every error.
func fhirError(c *gin.Context, status int, detail string) {
	c.Abort()
	body, err := fhir.SimpleOutcome(status, detail)
	if err != nil {
		c.Status(status)
		return
	}
	c.Data(status, fhir.ContentTypeFHIR, body)
}
