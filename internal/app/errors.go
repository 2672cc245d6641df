package app

import (
	"errors"
	"fmt"
	"strconv"
)

// HTTPStatus is the answer a handler gives for an error of this package:
// *DecodeError its Status (400, 413 or 422), *OptionError 400,
// ErrInvalid and ErrBadCursor 400, ErrUnauthenticated 401, ErrNotFound 404
// (another tenant's object included), ErrConflict 409, anything else 500
// (the machine's fault: log it, do not show it).
func HTTPStatus(err error) int {
	var de *DecodeError
	var oe *OptionError
	switch {
	case err == nil:
		return 200
	case errors.As(err, &de):
		return de.Status
	case errors.As(err, &oe), errors.Is(err, ErrInvalid), errors.Is(err, ErrBadCursor):
		return 400
	case errors.Is(err, ErrUnauthenticated):
		return 401
	case errors.Is(err, ErrNotFound):
		return 404
	case errors.Is(err, ErrConflict):
		return 409
	case errors.Is(err, ErrIdempotencyKeyReused):
		return 422
	}
	return 500
}

// ParseClaimQuery reads GET /v1/claims's query parameters as given (empty =
// not given): status, record_id, limit (1..MaxListLimit, default
// DefaultListLimit) and cursor. A bad value is an *OptionError naming
// the parameter (400).
func ParseClaimQuery(status, recordID, limit, cursor string) (ClaimQuery, error) {
	q := ClaimQuery{Status: ClaimStatus(status), RecordID: recordID, Cursor: cursor}
	if status != "" && !q.Status.Valid() {
		return q, &OptionError{Option: "status", Msg: "must be one of submitted, rejected, paid, partially_paid, denied, reversed, pended"}
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxListLimit {
			return q, &OptionError{Option: "limit", Msg: fmt.Sprintf("must be a whole number from 1 to %d", MaxListLimit)}
		}
		q.Limit = n
	}
	if cursor != "" {
		if _, _, err := DecodeCursor(cursor); err != nil {
			return q, &OptionError{Option: "cursor", Msg: "is not a cursor this server gave"}
		}
	}
	return q, nil
}
