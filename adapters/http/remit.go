package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/record"
)

var x12Types = []string{"application/edi-x12", "text/plain", "application/octet-stream"}

func (s *Server) routes835(v1 *gin.RouterGroup) {
	v1.POST("/remittances/findings", s.findings)
}

// x12Problem answers 422 for an 835 that cannot be read, with its position.
func x12Problem(c *gin.Context, err error) {
	var xe *x12.Error
	if !errors.As(err, &xe) {
		problem(c, http.StatusUnprocessableEntity, "Unreadable X12", "The body could not be read as X12.", nil)
		return
	}
	off := xe.Offset
	problemWith(c, http.StatusUnprocessableEntity, "Unreadable X12", xe.Error(), []ProblemError{{
		Problem:       record.Problem{Severity: record.SeverityError, Code: string(xe.Code), Message: xe.Error()},
		SegmentNumber: xe.Segment,
		SegmentID:     xe.SegmentID,
		Element:       xe.Element,
		Component:     xe.Component,
		Offset:        &off,
	}})
}

func (s *Server) findings(c *gin.Context) {
	if !requireType(c, x12Types...) {
		return
	}
	switch c.DefaultQuery("format", "json") {
	case "json":
	case "fhir":
		data, ok := readBody(c, s.cfg.MaxBodyBytes)
		if ok {
			s.findingsFHIR(c, data)
		}
		return
	default:
		problem(c, http.StatusBadRequest, "Invalid query parameter", "format must be json or fhir.", nil)
		return
	}
	// Streamed: the findings are written as they are made, so memory
	// follows about two claims, not the body. Status and headers wait for
	// the first byte: an error before it is a 413/422 problem as before;
	// after it, the output ends with an "error" member or line. A body of
	// unknown length (chunked) might pass the size limit after output
	// began, so it is read first, within the limit (413 stays 413), and
	// its findings streamed from it: memory holds the body (at most
	// --max-body-bytes), not the ~4.6 times larger report.
	lw := &lazyOK{c: c, ctype: "application/json; charset=utf-8"}
	var body io.Reader = c.Request.Body
	if c.Request.ContentLength < 0 {
		data, ok := readBody(c, s.cfg.MaxBodyBytes)
		if !ok {
			return
		}
		body = bytes.NewReader(data)
	} else if err := http.NewResponseController(c.Writer).EnableFullDuplex(); err != nil {
		// Output begins while the body is still arriving: without full
		// duplex Go's HTTP/1 server closes the request body at the first
		// flush of the response, and the rest of the 835 would be lost.
		lw.hold = true // no full duplex (e.g. a test recorder): hold the answer
	}
	format := "json"
	if acceptsNDJSON(c) {
		lw.ctype = "application/x-ndjson"
		format = "ndjson"
	}
	t, err := app.WriteFindings(body, lw, app.FindingsOptions{Format: format})
	if err == nil && lw.hold {
		lw.release()
	}
	if err != nil && !lw.started {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge(c, s.cfg.MaxBodyBytes)
			return
		}
		x12Problem(c, err)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("remittances", t.Remittances).
		Int("claims", t.Claims).Int("warnings", app.RemitWarningCount(t.Warnings)).Bool("cut_short", err != nil).Msg("835 read")
}

// acceptsNDJSON reports whether the client asked for application/x-ndjson.
func acceptsNDJSON(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/x-ndjson")
}

// lazyOK answers 200 with its content type at the first byte written, or
// with hold, only at release.
type lazyOK struct {
	c       *gin.Context
	ctype   string
	started bool
	hold    bool
	held    []byte
}

func (l *lazyOK) release() {
	l.hold = false
	if len(l.held) > 0 {
		_, _ = l.Write(l.held)
	}
	l.held = nil
}

func (l *lazyOK) Write(p []byte) (int, error) {
	if l.hold {
		l.held = append(l.held, p...)
		return len(p), nil
	}
	if !l.started {
		l.started = true
		l.c.Header("Content-Type", l.ctype)
		l.c.Status(http.StatusOK)
	}
	return l.c.Writer.Write(p)
}
