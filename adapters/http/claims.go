package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

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
	return s.profileNamed(c, c.DefaultQuery("profile", s.cfg.Profile))
}

func (s *Server) profileNamed(c *gin.Context, name string) (*app.Profile, bool) {
	if name == "default" {
		// the built-in profile, as ProfileByName gives it, without
		// matching the name pattern per request
		if prof, err := app.LoadProfile(name, ""); err == nil {
			return prof, true
		}
	}
	prof, err := app.ProfileByName(name, s.cfg.ProfilesDir)
	if err != nil {
		if oe := (*app.OptionError)(nil); errors.As(err, &oe) {
			badQuery(c, oe)
			return nil, false
		}
	}
	return prof, true
}

// envelopeQuery are the query parameters of the 837D routes, each the
// first value given, as c.Query reads them.
type envelopeQuery struct {
	profile, controlNumber, at, usage, newlines string
	hasProfile                                  bool
}

// readEnvelopeQuery reads them from the raw query without building the
// url.Values map when the query is plain (no escapes, no ';', a few
// parameters: url.ParseQuery would unescape nothing and drop nothing),
// else through Gin's query cache.
func readEnvelopeQuery(c *gin.Context) envelopeQuery {
	var q envelopeQuery
	raw := c.Request.URL.RawQuery
	if !plainQuery(raw) {
		q.profile, q.hasProfile = c.GetQuery("profile")
		q.controlNumber, q.at, q.usage, q.newlines = c.Query("control_number"), c.Query("at"), c.Query("usage"), c.Query("newlines")
		return q
	}
	var seen [5]bool
	set := func(i int, dst *string, v string) {
		if !seen[i] {
			seen[i], *dst = true, v
		}
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		key, value, _ := strings.Cut(pair, "=")
		switch key {
		case "profile":
			set(0, &q.profile, value)
		case "control_number":
			set(1, &q.controlNumber, value)
		case "at":
			set(2, &q.at, value)
		case "usage":
			set(3, &q.usage, value)
		case "newlines":
			set(4, &q.newlines, value)
		}
	}
	q.hasProfile = seen[0]
	return q
}

// plainQuery: no '%', '+' or ';' and at most 32 parameters (and no GODEBUG
// limit on them: see url.ParseQuery).
func plainQuery(raw string) bool {
	if len(raw) > 1024 || customQueryLimit {
		return false
	}
	n := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '%', '+', ';':
			return false
		case '&':
			if n++; n >= 32 {
				return false
			}
		}
	}
	return true
}

var customQueryLimit = strings.Contains(os.Getenv("GODEBUG"), "urlmaxqueryparams")

// envelope reads the query parameters that mirror the CLI flags.
func (s *Server) envelope(c *gin.Context) (*app.Profile, app.Envelope, bool) {
	q := readEnvelopeQuery(c)
	name := s.cfg.Profile
	if q.hasProfile {
		name = q.profile
	}
	prof, ok := s.profileNamed(c, name)
	if !ok {
		return nil, app.Envelope{}, false
	}
	opts, err := app.ParseEnvelope(q.controlNumber, q.at, q.usage, prof, s.now())
	if err != nil {
		if oe := (*app.OptionError)(nil); errors.As(err, &oe) {
			badQuery(c, oe)
			return nil, opts, false
		}
	}
	opts.NewlineAfterSegment = q.newlines == "true"
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
	if err == nil {
		return false
	}
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
	if !requireType(c, "application/json") {
		return
	}
	// the body and the 837D in pooled buffers: the decoded record copies
	// what it keeps, and both are done with once the answer is written
	body := getBuffer()
	defer putBuffer(body)
	data, ok := readBodyInto(c, s.cfg.MaxBodyBytes, (*body)[:0])
	if !ok {
		return
	}
	*body = data
	out := getBuffer()
	defer putBuffer(out)
	opts.Buffer = *out
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
	*out = res.X12 // grown or not, the buffer goes back to the pool
	if ev := s.log.Info(); ev != nil {
		ev.Str("request_id", c.GetString("request_id")).Int("lines", res.Lines).
			Int("warnings", len(res.Problems)).Str("control_number", res.ControlNumbers.Interchange).Msg("837D generated")
	}
	if wantsJSON(c) {
		c.PureJSON(http.StatusOK, ClaimResponse{X12: string(res.X12), Warnings: res.Problems.Warnings(), ControlNumbers: res.ControlNumbers})
		return
	}
	h := c.Writer.Header()
	h["Casebridge-Warnings"] = countValue(res.Problems.WarningCount())
	h.Set("Casebridge-Control-Number", res.ControlNumbers.Interchange)
	h["Content-Type"] = ediX12Type
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(res.X12) // as c.Data writes it: a failed write is the client's
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
