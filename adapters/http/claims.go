package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/record"
)

// ClaimResponse is the JSON answer of POST /v1/claims/837d with
// Accept: application/json.
type ClaimResponse struct {
	X12            string                `json:"x12"`
	Warnings       record.Problems       `json:"warnings"`
	ControlNumbers app.X12ControlNumbers `json:"control_numbers"`
}

// profileParam reads ?profile= (names only, never paths); false means an
// answer was sent.
func (s *Server) profileParam(c *gin.Context) (*app.Profile, bool) {
	prof, err := app.ProfileByName(c.DefaultQuery("profile", s.cfg.Profile), s.cfg.ProfilesDir)
	var oe *app.OptionError
	if errors.As(err, &oe) {
		badQuery(c, oe)
		return nil, false
	}
	return prof, true
}

// envelope reads the query parameters that mirror the CLI flags.
func (s *Server) envelope(c *gin.Context) (*app.Profile, app.Envelope, bool) {
	prof, ok := s.profileParam(c)
	if !ok {
		return nil, app.Envelope{}, false
	}
	opts, err := app.ParseEnvelope(c.Query("control_number"), c.Query("at"), c.Query("usage"), prof, s.now())
	var oe *app.OptionError
	if errors.As(err, &oe) {
		badQuery(c, oe)
		return nil, opts, false
	}
	opts.NewlineAfterSegment = c.Query("newlines") == "true"
	if opts.ControlNumber == 0 {
		opts.Allocate = s.allocator(c, prof)
	}
	return prof, opts, true
}

// errNoStore is the allocation failure of a gateway built without a store.
var errNoStore = errors.New("no store configured to allocate control numbers")

// allocator is the control-number source of a stateless 837D request: the
// store's counter for the request's tenant and the profile's ISA06 sender
// (WithControlNumbers replaces it in tests).
func (s *Server) allocator(c *gin.Context, prof *app.Profile) func() (int, error) {
	switch {
	case s.next != nil:
		return s.next
	case s.svc != nil:
		return s.svc.ControlNumbers(c.Request.Context(), tenantOf(c), prof)
	}
	return func() (int, error) { return 0, errNoStore }
}

// badQuery answers 400 for a query parameter that cannot be honoured.
func badQuery(c *gin.Context, oe *app.OptionError) {
	problem(c, http.StatusBadRequest, "Invalid query parameter", oe.Error()+".", one("QUERY_PARAMETER", "", oe.Error()))
}

// recordBody reads a JSON record body; false means an answer was sent.
func (s *Server) recordBody(c *gin.Context) ([]byte, bool) {
	if !requireType(c, "application/json") {
		return nil, false
	}
	return readBody(c, s.cfg.MaxBodyBytes)
}

// decodeFailed answers a body that is not a record: 400 JSON_SYNTAX when it
// is not one JSON object, 422 with the shape problems otherwise. false
// means err is not an *app.DecodeError and nothing was sent.
func decodeFailed(c *gin.Context, data []byte, err error) bool {
	var de *app.DecodeError
	if !errors.As(err, &de) {
		return false
	}
	if de.Syntax != nil {
		jsonSyntax(c, data)
		return true
	}
	problem(c, http.StatusUnprocessableEntity, "Invalid record", "The record does not match the contract.", de.Problems)
	return true
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

func (s *Server) claim837d(c *gin.Context) {
	prof, opts, ok := s.envelope(c)
	if !ok {
		return
	}
	data, ok := s.recordBody(c)
	if !ok {
		return
	}
	res, err := app.Generate837D(data, prof, opts)
	if decodeFailed(c, data, err) {
		return
	}
	if err != nil {
		ev := s.log.Error().Str("request_id", c.GetString("request_id")).Bool("control_number", errors.Is(err, app.ErrControlNumber))
		if errors.Is(err, app.ErrControlNumber) {
			// the store's error names the tenant, the sender or the
			// database: no record data
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
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("lines", res.Lines).
		Int("warnings", len(res.Problems)).Str("control_number", res.ControlNumbers.Interchange).Msg("837D generated")
	if wantsJSON(c) {
		c.PureJSON(http.StatusOK, ClaimResponse{X12: string(res.X12), Warnings: res.Problems.Warnings(), ControlNumbers: res.ControlNumbers})
		return
	}
	c.Header("Casebridge-Warnings", strconv.Itoa(res.Problems.WarningCount()))
	c.Header("Casebridge-Control-Number", res.ControlNumbers.Interchange)
	c.Data(http.StatusOK, "application/edi-x12", res.X12)
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
	rep, err := app.CheckRecord(data, prof, s.now().UTC())
	var se *record.SyntaxError
	if errors.As(err, &se) {
		jsonSyntax(c, data)
		return
	}
	c.PureJSON(http.StatusOK, rep)
}
