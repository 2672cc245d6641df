package app_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/claims"
)

func TestHTTPStatus(t *testing.T) {
	for err, want := range map[error]int{
		nil:                           200,
		&app.DecodeError{Status: 413}: 413,
		fmt.Errorf("x: %w", &app.DecodeError{Status: 422}): 422,
		&claims.OptionError{Option: "profile"}:             400,
		fmt.Errorf("x: %w", app.ErrInvalid):                400,
		app.ErrBadCursor:                                   400,
		app.ErrUnauthenticated:                             401,
		fmt.Errorf("store: claim: %w", app.ErrNotFound):    404,
		app.ErrConflict:                                    409,
		app.ErrControlNumbersExhausted:                     500,
		errors.New("disk"):                                 500,
	} {
		if got := app.HTTPStatus(err); got != want {
			t.Errorf("%v: %d, want %d", err, got, want)
		}
	}
}

func TestParseClaimQuery(t *testing.T) {
	q, err := app.ParseClaimQuery("paid", "CM1", "20", app.EncodeCursor(t0, "x"))
	if err != nil || q.Status != app.StatusPaid || q.RecordID != "CM1" || q.Limit != 20 || q.Cursor == "" {
		t.Fatalf("%+v %v", q, err)
	}
	if q, err := app.ParseClaimQuery("", "", "", ""); err != nil || q != (app.ClaimQuery{}) {
		t.Fatalf("%+v %v", q, err)
	}
	for _, c := range [][4]string{{"lost", "", "", ""}, {"", "", "0", ""}, {"", "", "501", ""}, {"", "", "ten", ""}, {"", "", "", "!!"}} {
		var oe *claims.OptionError
		if _, err := app.ParseClaimQuery(c[0], c[1], c[2], c[3]); !errors.As(err, &oe) {
			t.Errorf("%q: %v", c, err)
		}
	}
}
