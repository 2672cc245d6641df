package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/remit"
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
	// streamed: memory follows one transaction set, not the body
	rep, err := remit.BuildReport(c.Request.Body, remit.Options{})
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		tooLarge(c, s.cfg.MaxBodyBytes)
		return
	}
	if err != nil {
		x12Problem(c, err)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Int("remittances", len(rep.Remittances)).
		Int("warnings", len(rep.Warnings)).Msg("835 read")
	c.PureJSON(http.StatusOK, rep)
}
