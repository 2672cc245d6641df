package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// routesAcknowledgments registers POST /v1/acknowledgments: a TA1, 999 or
// 277CA taken in, matched to the tenant's stored claims (app.Service.
// SubmitAcknowledgment).
func (s *Server) routesAcknowledgments(v1 *gin.RouterGroup) {
	v1.POST("/acknowledgments", s.idempotent, s.postAcknowledgment)
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
	c.Header("Location", res.Location())
	c.PureJSON(http.StatusCreated, res)
}
