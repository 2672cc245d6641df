package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// routesAcknowledgments registers POST /v1/acknowledgments: a TA1, 999 or
// 277CA taken in, matched to the tenant's stored claims (app.Service.
// SubmitAcknowledgment).
func (s *Server) routesAcknowledgments(v1 *gin.RouterGroup) {
	v1.POST("/acknowledgments", s.idempotent, s.postAcknowledgment)
	v1.GET("/acknowledgments/:id", s.getAcknowledgment)
}

// getAcknowledgment answers 200 with the stored AcknowledgmentResult.
func (s *Server) getAcknowledgment(c *gin.Context) {
	id, ok := s.idParam(c)
	if !ok {
		return
	}
	b, err := s.svc.Acknowledgment(c.Request.Context(), tenantOf(c), id)
	if err != nil {
		s.fail(c, err, nil)
		return
	}
	c.Data(http.StatusOK, "application/json", b)
}

// postAcknowledgment answers 201 with the AcknowledgmentResult; an
// unreadable file is a 422 problem naming its segment and element.
func (s *Server) postAcknowledgment(c *gin.Context) {
	if !s.stored(c) || !requireType(c, x12Types...) {
		return
	}
	body, ok := s.requestBody(c)
	if !ok {
		return
	}
	res, err := s.svc.SubmitAcknowledgment(c.Request.Context(), tenantOf(c), body,
		app.AcknowledgmentOptions{IdempotencyKey: c.GetHeader(IdempotencyKeyHeader)})
	if err != nil {
		s.fail(c, err, body)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Str("acknowledgment_id", res.ID).Str("type", res.Type).
		Int("matched", res.Matched).Int("unmatched", res.Unmatched).Msg("acknowledgment stored")
	c.Header("Location", "/v1/acknowledgments/"+res.ID)
	c.PureJSON(http.StatusCreated, res)
}

// acceptsX12 reports whether the client asked for application/edi-x12.
func acceptsX12(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/edi-x12")
}

// validateAck answers POST /v1/x12/validate with Accept:
// application/edi-x12: 200 with the 999 (or the TA1 when the envelope is
// unusable), Casebridge-Acknowledgment: 999|TA1 and Casebridge-Valid:
// true|false. Our control numbers come from the store's counter for the
// request's tenant and our ISA06 (the received ISA08); a gateway without a
// store answers 503.
func (s *Server) validateAck(c *gin.Context, data []byte, vo app.ValidateOptions) {
	var alloc func(string) (int, error)
	switch {
	case s.next != nil:
		alloc = func(string) (int, error) { return s.next() }
	case s.svc != nil:
		alloc = s.svc.AckControlNumbers(c.Request.Context(), tenantOf(c))
	default:
		problem(c, http.StatusServiceUnavailable, "No store", "This gateway runs without a store: control numbers cannot be allocated.",
			one("NO_STORE", "", "Start the gateway with casebridge serve."))
		return
	}
	res, err := app.AcknowledgeX12(data, app.AckOutOptions{Validate: vo, ControlNumber: alloc})
	switch {
	case errors.Is(err, app.ErrX12Unreadable):
		problem(c, http.StatusBadRequest, "Not X12", "The body is not an X12 interchange: it does not start with an ISA segment.",
			one("X12_UNREADABLE", "", "The body does not start with an ISA segment."))
		return
	case err != nil:
		// the store's or the validator's error: no request data
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("cause", err.Error()).Msg("x12 acknowledgment failed")
		internalError(c)
		return
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Str("acknowledgment", res.Kind).Bool("valid", res.Report.Valid).
		Int("issues", len(res.Report.Issues)).Msg("x12 acknowledged")
	c.Header("Casebridge-Acknowledgment", res.Kind)
	c.Header("Casebridge-Valid", map[bool]string{true: "true", false: "false"}[res.Report.Valid])
	c.Data(http.StatusOK, "application/edi-x12", res.X12)
}
