package httpapi

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/control"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// ClaimResponse is the JSON answer of POST /v1/claims/837d with
// Accept: application/json.
type ClaimResponse struct {
	X12            string                  `json:"x12"`
	Warnings       record.Problems         `json:"warnings"`
	ControlNumbers claim837.ControlNumbers `json:"control_numbers"`
}

var reProfileName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// envelope reads the query parameters that mirror the CLI flags.
func (s *Server) envelope(c *gin.Context) (*profile.Profile, claims.Options, bool) {
	var opts claims.Options
	bad := func(param, msg string) (*profile.Profile, claims.Options, bool) {
		problem(c, http.StatusBadRequest, "Invalid query parameter", msg, one("QUERY_PARAMETER", "", param+": "+msg))
		return nil, opts, false
	}
	name := c.DefaultQuery("profile", s.cfg.Profile)
	if !reProfileName.MatchString(name) {
		return bad("profile", "A profile is named by 1-64 letters, digits, '-' or '_'.")
	}
	prof, err := profile.Load(name, s.cfg.ProfilesDir)
	if err != nil {
		return bad("profile", "Unknown trading-partner profile.")
	}
	switch u := c.Query("usage"); u {
	case "", "T", "P":
		opts.Usage = u
	default:
		return bad("usage", "Usage must be T or P.")
	}
	usage := prof.Interchange.Usage
	if opts.Usage != "" {
		usage = opts.Usage
	}
	if v := c.Query("control_number"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > control.Max {
			return bad("control_number", "The control number must be a whole number from 1 to 999999999.")
		}
		opts.ControlNumber = n
	} else if usage == "P" {
		return bad("control_number", "Production usage (P) needs an explicit control number.")
	}
	opts.At = s.now().UTC()
	if v := c.Query("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return bad("at", "The time must be RFC 3339, e.g. 2026-11-27T10:00:00Z.")
		}
		opts.At = t.UTC()
	}
	opts.NewlineAfterSegment = c.Query("newlines") == "true"
	return prof, opts, true
}

// decodeRecord reads a JSON record body; false means an answer was sent.
func (s *Server) decodeRecord(c *gin.Context) (*record.Record, bool) {
	if !requireType(c, "application/json") {
		return nil, false
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if !ok {
		return nil, false
	}
	rec, probs, err := record.DecodeBytes(data)
	var se *record.SyntaxError
	if errors.As(err, &se) {
		problem(c, http.StatusBadRequest, "Malformed JSON", "The body is not a JSON object.", one("JSON_SYNTAX", "", se.Error()))
		return nil, false
	}
	if probs.HasErrors() {
		problem(c, http.StatusUnprocessableEntity, "Invalid record", "The record does not match the contract.", probs)
		return nil, false
	}
	return rec, true
}

// generate produces the 837D for rec and writes the answer.
func (s *Server) generate(c *gin.Context, rec *record.Record, prof *profile.Profile, opts claims.Options) {
	if probs := claims.Check(rec, prof, opts.At); probs.HasErrors() {
		problem(c, http.StatusUnprocessableEntity, "Record has errors", "The record cannot be billed as it is.", probs)
		return
	}
	if opts.ControlNumber == 0 {
		n, err := s.next()
		if err != nil {
			s.log.Error().Str("request_id", c.GetString("request_id")).Msg("control number allocation failed")
			internalError(c)
			return
		}
		opts.ControlNumber = n
	}
	res, err := claims.Generate(rec, prof, opts)
	if err != nil || res.X12 == nil {
		s.log.Error().Str("request_id", c.GetString("request_id")).Msg("837D generation failed after a clean scrub")
		internalError(c)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("lines", len(rec.Services)).
		Int("warnings", len(res.Problems)).Str("control_number", res.ControlNumbers.Interchange).Msg("837D generated")
	if wantsJSON(c) {
		c.PureJSON(http.StatusOK, ClaimResponse{X12: string(res.X12), Warnings: res.Problems.Warnings(), ControlNumbers: res.ControlNumbers})
		return
	}
	c.Header("Casebridge-Warnings", strconv.Itoa(len(res.Problems.Warnings())))
	c.Header("Casebridge-Control-Number", res.ControlNumbers.Interchange)
	c.Data(http.StatusOK, "application/edi-x12", res.X12)
}

func (s *Server) claim837d(c *gin.Context) {
	prof, opts, ok := s.envelope(c)
	if !ok {
		return
	}
	rec, ok := s.decodeRecord(c)
	if !ok {
		return
	}
	s.generate(c, rec, prof, opts)
}

func (s *Server) checkRecord(c *gin.Context) {
	name := c.DefaultQuery("profile", s.cfg.Profile)
	if !reProfileName.MatchString(name) {
		problem(c, http.StatusBadRequest, "Invalid query parameter", "Unknown trading-partner profile.", nil)
		return
	}
	prof, err := profile.Load(name, s.cfg.ProfilesDir)
	if err != nil {
		problem(c, http.StatusBadRequest, "Invalid query parameter", "Unknown trading-partner profile.", nil)
		return
	}
	if !requireType(c, "application/json") {
		return
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	rep, err := claims.CheckBytes(data, prof, s.now().UTC())
	var se *record.SyntaxError
	if errors.As(err, &se) {
		problem(c, http.StatusBadRequest, "Malformed JSON", "The body is not a JSON object.", one("JSON_SYNTAX", "", se.Error()))
		return
	}
	c.PureJSON(http.StatusOK, rep)
}
