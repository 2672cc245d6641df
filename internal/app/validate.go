package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/internal/snip"
	"github.com/casebridge/casebridge/mapping/claim837"
	"github.com/casebridge/casebridge/mapping/remit"
)

// The X12 validator (WEDI SNIP types 1-5 and 7). The routes and commands
// it is made for:
//
//	POST /v1/x12/validate, casebridge validate   ParseSnipTypes, ValidateX12 → ValidationReport
//
// ValidateX12 is also the seam of the acknowledgment writer (999/TA1): it
// returns the *snip.Report every acknowledgment is built from.

// Validation results (their JSON is the wire format).
type (
	ValidationReport = snip.Report // the validator's report
	ValidationIssue  = snip.Issue  // one positioned finding
	SnipType         = snip.Type   // a WEDI SNIP type
)

// ErrX12Unreadable wraps snip.ErrUnreadable: the input is not an X12
// interchange at all (no ISA at its start) or could not be read (HTTP 400,
// exit 2). A broken envelope is not this error: it is a report with
// envelope_unusable set.
var ErrX12Unreadable = snip.ErrUnreadable

// ValidateOptions select what ValidateX12 checks.
type ValidateOptions struct {
	Types   []SnipType       // nil: every type (1, 2, 3, 4, 5, 7)
	Profile *profile.Profile // trading-partner profile of SNIP 7; nil: the built-in default
	Today   time.Time        // the scrubber's today (SNIP 7); zero: now
}

// ParseSnipTypes reads a SNIP type list as --snip and ?snip= give it
// ("1,2,3"; "" is every type). A bad list is an *OptionError (option "snip").
func ParseSnipTypes(s string) ([]SnipType, error) {
	ts, err := snip.ParseTypes(s)
	if err != nil {
		return nil, &OptionError{Option: "snip", Msg: err.Error()}
	}
	return ts, nil
}

// ValidateX12 validates an X12 file by SNIP type. The engine (internal/snip)
// checks types 1-5 as it streams the bytes; this use case adds what other
// packages already know: the 835 balancing of mapping/remit (SNIP 3) and
// casebridge's D9997 scrubber on the records mapping/claim837 reads from
// each 837D claim (SNIP 7). The error is ErrX12Unreadable (wrapped) or a
// broken rule table (a build defect).
func ValidateX12(data []byte, opts ValidateOptions) (*ValidationReport, error) {
	rep, err := snip.Validate(bytes.NewReader(data), snip.Options{Types: opts.Types})
	if err != nil {
		if errors.Is(err, snip.ErrUnreadable) {
			return nil, err
		}
		return nil, fmt.Errorf("x12 validator: %w", err)
	}
	if rep.Unusable && len(rep.Interchanges) == 0 {
		// an ISA that is not fixed-width can still name the interchange a
		// TA1 answers
		if ic, ok := snip.RecoverInterchange(data); ok {
			rep.Interchanges = []snip.Interchange{ic}
		}
	}
	sel := snip.Options{Types: opts.Types}
	if sel.Selected(snip.Balancing) && len(rep.SetsOf("835")) > 0 {
		remitBalancing(data, rep)
	}
	if sel.Selected(snip.TradingPartner) && len(rep.SetsOf("837")) > 0 {
		prof := opts.Profile
		if prof == nil {
			prof = profile.Default()
		}
		today := opts.Today
		if today.IsZero() {
			today = time.Now()
		}
		tradingPartner(data, rep, prof, today)
	}
	rep.Finish()
	return rep, nil
}

// remitBalancing adds the balancing warnings of mapping/remit (spec x12.md
// §4.7: line, claim and transaction equations) as SNIP 3 issues. An 835 the
// reader cannot follow has no balancing (SNIP 1/2 report why).
func remitBalancing(data []byte, rep *ValidationReport) {
	ws, _ := remit.Check(bytes.NewReader(data), remit.Options{})
	for _, w := range ws {
		var what, loop string
		switch w.Code {
		case remit.WarnLineUnbalanced:
			what, loop = "service line does not balance: SVC02 minus the line's CAS amounts must equal SVC03", "2110"
		case remit.WarnClaimUnbalanced:
			what, loop = "claim does not balance: CLP03 minus the claim and line CAS amounts must equal CLP04", "2100"
		case remit.WarnTransactionUnbalanced:
			what = "transaction does not balance: the sum of CLP04 minus the PLB amounts must equal BPR02"
		default:
			continue
		}
		rep.Add(snip.Issue{
			Type: snip.Balancing, Code: snip.CodeUnbalanced, Severity: snip.SeverityError,
			Message: what + " (005010X221A1 section 1.10.2; spec x12.md §4.7)",
			Segment: w.SegmentNumber, SegmentID: w.SegmentID, Loop: loop, Element: elementPos(w.Element),
		})
	}
}

// tradingPartner scrubs each claim the 837D reader returns (SNIP 7) and
// positions the problems at the claim's CLM. Claims of a set with SNIP 1 or
// 2 errors are left out.
func tradingPartner(data []byte, rep *ValidationReport, prof *profile.Profile, today time.Time) {
	clms := clmSegments(data)
	// SNIP types build on each other: a set with syntax errors (SNIP 1 or
	// 2) gets no trading-partner edits, which would only repeat them as
	// record problems.
	var broken [][2]int
	for _, is := range rep.Issues {
		if is.Severity == snip.SeverityError && is.Type <= snip.HIPAASyntax && is.Set > 0 {
			for _, set := range rep.SetsOf("837") {
				if is.Segment >= set.First && is.Segment <= set.Last {
					broken = append(broken, [2]int{set.First, set.Last})
				}
			}
		}
	}
	n := 0
	_ = claim837.Read(bytes.NewReader(data), func(rec *record.Record) error {
		var at x12.Segment
		if n < len(clms) {
			at = clms[n]
		}
		n++
		for _, b := range broken {
			if at.Ordinal >= b[0] && at.Ordinal <= b[1] {
				return nil
			}
		}
		for _, p := range claims.Check(rec, prof, today) {
			if !carriedBy837D(p.Pointer, rec) {
				continue
			}
			rep.Add(snip.Issue{
				Type: snip.TradingPartner, Code: p.Code, Severity: snip.Severity(p.Severity),
				Message: "D9997 edit " + p.Code + " at record " + p.Pointer + ": " + p.Message,
				Segment: at.Ordinal, Offset: at.Offset, SegmentID: "CLM", Loop: "2300",
			})
		}
		return nil
	})
}

// carriedBy837D reports whether a record field can come back from an 837D:
// the special-needs documentation and the per-line case-management details
// (minutes, type, staff, reason, actions, benefit, follow-up) do not travel
// in X224A2 (mapping/claim837.Read leaves them empty), nor does the control
// number of an attachment available on request (PWK02 AA has no PWK06,
// X224A2 2300 PWK), so the scrubber's edits on them say nothing about the
// file.
func carriedBy837D(pointer string, rec *record.Record) bool {
	if pointer == "/special_needs" || strings.HasPrefix(pointer, "/special_needs/") {
		return false
	}
	if rest, ok := strings.CutPrefix(pointer, "/attachments/"); ok {
		if n, field, ok := strings.Cut(rest, "/"); ok && field == "id" {
			if i, err := strconv.Atoi(n); err == nil && i < len(rec.Attachments) && rec.Attachments[i].Transmission == "AA" {
				return false
			}
		}
	}
	if rest, ok := strings.CutPrefix(pointer, "/services/"); ok {
		if _, field, ok := strings.Cut(rest, "/"); ok {
			name, _, _ := strings.Cut(field, "/")
			switch name {
			case "minutes", "case_management_type", "staff", "reason", "actions", "patient_benefit", "follow_up":
				return false
			}
		}
	}
	return true
}

// clmSegments returns the position of every CLM, in order: the 837D reader
// hands out one record per CLM.
func clmSegments(data []byte) []x12.Segment {
	var out []x12.Segment
	rd := x12.NewReader(bytes.NewReader(data), x12.ReaderOptions{})
	for {
		s, err := rd.NextView()
		if err == io.EOF {
			return out
		}
		if err != nil {
			var xe *x12.Error
			if errors.As(err, &xe) && xe.Code == x12.CodeSegmentIDInvalid {
				continue
			}
			return out
		}
		if s.ID == "CLM" {
			out = append(out, x12.Segment{ID: "CLM", Ordinal: s.Ordinal, Offset: s.Offset})
		}
	}
}

// elementPos reads the position of "SVC03".
func elementPos(name string) int {
	for i := 0; i < len(name); i++ {
		if name[i] >= '0' && name[i] <= '9' {
			n, _ := strconv.Atoi(name[i:])
			return n
		}
	}
	return 0
}
