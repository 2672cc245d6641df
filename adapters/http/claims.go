package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/claims"
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

// profileParam reads ?profile= (names only, never paths); false means an
// answer was sent.
func (s *Server) profileParam(c *gin.Context) (*profile.Profile, bool) {
	name := c.DefaultQuery("profile", s.cfg.Profile)
	if reProfileName.MatchString(name) {
		if prof, err := profile.Load(name, s.cfg.ProfilesDir); err == nil {
			return prof, true
		}
	}
	badQuery(c, &claims.OptionError{Option: "profile", Msg: "unknown trading-partner profile (a name of 1-64 letters, digits, '-' or '_')"})
	return nil, false
}

// envelope reads the query parameters that mirror the CLI flags.
func (s *Server) envelope(c *gin.Context) (*profile.Profile, claims.Options, bool) {
	prof, ok := s.profileParam(c)
	if !ok {
		return nil, claims.Options{}, false
	}
	opts, err := claims.ParseOptions(c.Query("control_number"), c.Query("at"), c.Query("usage"), prof, s.now())
	var oe *claims.OptionError
	if errors.As(err, &oe) {
		badQuery(c, oe)
		return nil, opts, false
	}
	opts.NewlineAfterSegment = c.Query("newlines") == "true"
	if opts.ControlNumber == 0 {
		opts.Allocate = s.next
	}
	return prof, opts, true
}

// badQuery answers 400 for a query parameter that cannot be honoured.
func badQuery(c *gin.Context, oe *claims.OptionError) {
	problem(c, http.StatusBadRequest, "Invalid query parameter", oe.Error()+".", one("QUERY_PARAMETER", "", oe.Error()))
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
		jsonSyntax(c, data)
		return nil, false
	}
	if probs.HasErrors() {
		problem(c, http.StatusUnprocessableEntity, "Invalid record", "The record does not match the contract.", probs)
		return nil, false
	}
	return rec, true
}

// jsonSyntax answers 400 for a body that is not one JSON object: the rule
// and the real byte offset (the end of a truncated body), never the bytes
// around it. encoding/json's own message quotes the offending character.
func jsonSyntax(c *gin.Context, data []byte) {
	pe := ProblemError{Problem: record.Problem{Severity: record.SeverityError, Code: "JSON_SYNTAX", Message: "The body must be one JSON object."}}
	if se := fhir.JSONSyntax(data); se != nil {
		off := se.Offset
		pe.Offset = &off
		pe.Message = fmt.Sprintf("Not valid JSON: %s at byte %d.", se.Reason, se.Offset)
	}
	problemWith(c, http.StatusBadRequest, "Malformed JSON", "The body is not a JSON object.", []ProblemError{pe})
}

// generate produces the 837D for rec and writes the answer.
func (s *Server) generate(c *gin.Context, rec *record.Record, prof *profile.Profile, opts claims.Options) {
	res, err := claims.Generate(rec, prof, opts)
	if err != nil {
		ev := s.log.Error().Str("request_id", c.GetString("request_id")).Bool("control_number", errors.Is(err, claims.ErrControlNumber))
		if errors.Is(err, claims.ErrControlNumber) {
			// the allocator's error names the state directory and the
			// failing step: no record data
			ev = ev.Str("cause", err.Error())
		}
		ev.Msg("837D generation failed")
		internalError(c)
		return
	}
	if res.X12 == nil {
		problem(c, http.StatusUnprocessableEntity, "Record has errors", "The record cannot be billed as it is.", res.Problems)
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
	prof, ok := s.profileParam(c)
	if !ok {
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
		jsonSyntax(c, data)
		return
	}
	c.PureJSON(http.StatusOK, rep)
}
