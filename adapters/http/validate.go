package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// validateX12 is POST /v1/x12/validate: the body is an X12 file; ?snip=
// selects the SNIP types (default all), ?profile= the trading-partner
// profile of SNIP 7. 200 with the report whether or not the file is valid;
// 400 for a bad query or a body that is not X12 at all, 413, 415.
func (s *Server) validateX12(c *gin.Context) {
	if !requireType(c, x12Types...) {
		return
	}
	types, err := app.ParseSnipTypes(c.Query("snip"))
	var oe *app.OptionError
	if errors.As(err, &oe) {
		badQuery(c, oe)
		return
	}
	prof, ok := s.profileParam(c)
	if !ok {
		return
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	if acceptsX12(c) { // the 999 or TA1 instead of the report: acknowledgments.go
		s.validateAck(c, data, app.ValidateOptions{Types: types, Profile: prof, Today: s.now()})
		return
	}
	rep, err := app.ValidateX12(data, app.ValidateOptions{Types: types, Profile: prof, Today: s.now()})
	if err != nil {
		if errors.Is(err, app.ErrX12Unreadable) {
			problem(c, http.StatusBadRequest, "Not X12", "The body is not an X12 interchange: it does not start with an ISA segment.",
				one("X12_UNREADABLE", "", "The body does not start with an ISA segment."))
			return
		}
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("cause", err.Error()).Msg("x12 validator failed")
		internalError(c)
		return
	}
	errs := 0
	for _, is := range rep.Issues {
		if is.Severity == "error" {
			errs++
		}
	}
	s.log.Info().Str("request_id", c.GetString("request_id")).Bool("valid", rep.Valid).Int("interchanges", len(rep.Interchanges)).
		Int("issues", len(rep.Issues)).Int("errors", errs).Msg("x12 validated")
	c.PureJSON(http.StatusOK, rep)
}
