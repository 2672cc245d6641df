package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/record"
)

// BatchResponse is the JSON answer of POST /v1/claims/batch with
// Accept: application/json.
type BatchResponse struct {
	X12 string `json:"x12"`
	app.BatchResult
}

// batchProblem is the 422 answer when no record of a batch is valid: a
// problem document with the refused lines as an extension member.
type batchProblem struct {
	Problem
	Refused []app.Refused `json:"refused"`
}

func (p batchProblem) Render(w http.ResponseWriter) error {
	p.WriteContentType(w)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

func (batchProblem) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
}

// claimBatch is POST /v1/claims/batch: NDJSON records (one a line) → one
// interchange of the valid ones (app.Batch). The body is held in memory
// (it is bounded by the body limit) and read twice from there: grouping
// claims under their billing provider needs every line before the first
// set is written, and holding the raw lines costs less than holding the
// decoded records.
func (s *Server) claimBatch(c *gin.Context) {
	prof, opts, ok := s.envelope(c)
	if !ok {
		return
	}
	if !requireType(c, "application/x-ndjson", "application/ndjson") {
		return
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	var out bytes.Buffer
	res, err := app.Batch(bytes.NewReader(data), int64(len(data)), &out, prof, app.BatchOptions{Options: opts})
	if err != nil {
		ev := s.log.Error().Str("request_id", c.GetString("request_id")).Bool("control_number", errors.Is(err, app.ErrControlNumber))
		if errors.Is(err, app.ErrControlNumber) {
			ev = ev.Str("cause", err.Error()) // the store's error: tenant, sender or database, no record data
		}
		ev.Msg("837D batch failed")
		internalError(c)
		return
	}
	if len(res.Accepted) == 0 {
		code, detail := "BATCH_NO_VALID_RECORD", "No record of the batch can be billed as it is; every line is listed in refused."
		if len(res.Refused) == 0 {
			code, detail = "BATCH_EMPTY", "The body holds no record: send one JSON record a line."
		}
		c.Abort()
		c.Render(http.StatusUnprocessableEntity, batchProblem{
			Problem: Problem{Type: problemType + "unprocessable-entity", Title: "No valid record", Status: http.StatusUnprocessableEntity,
				Detail: detail, Instance: c.GetString("request_id"),
				Errors: []ProblemError{{Problem: record.Problem{Severity: record.SeverityError, Code: code, Message: detail}}}},
			Refused: res.Refused,
		})
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("accepted", len(res.Accepted)).Int("refused", len(res.Refused)).
		Int("sets", len(res.ControlNumbers.Transactions)).Str("control_number", res.ControlNumbers.Interchange).Msg("837D batch generated")
	if wantsJSON(c) {
		c.PureJSON(http.StatusOK, BatchResponse{X12: out.String(), BatchResult: *res})
		return
	}
	c.Header("Casebridge-Accepted", strconv.Itoa(len(res.Accepted)))
	c.Header("Casebridge-Refused", strconv.Itoa(len(res.Refused)))
	c.Header("Casebridge-Control-Number", res.ControlNumbers.Interchange)
	c.Data(http.StatusOK, "application/edi-x12", out.Bytes())
}
