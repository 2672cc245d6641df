package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/snip"
)

// Acknowledgments out: the 999 (or TA1) answering an X12 file, built from
// the validator's report (ValidateX12) by internal/snip's writer.
//
//	casebridge validate --ack, POST /v1/x12/validate with Accept: application/edi-x12

// X12Ack is an acknowledgment of a received file and the report it was
// made from.
type X12Ack struct {
	Kind   string // "999" or "TA1"
	X12    []byte
	Report *ValidationReport
}

// AckOutOptions are AcknowledgeX12's settings.
type AckOutOptions struct {
	Validate ValidateOptions
	// ControlNumber draws our interchange control number for the 999 or
	// TA1 sent by sender (our ISA06: the received ISA08).
	ControlNumber func(sender string) (int, error)
	// Newlines writes "\n" after each segment.
	Newlines bool
}

// ErrAckControlNumber wraps a failure to draw the acknowledgment's control
// number (the store's: a 500 / exit 70).
var ErrAckControlNumber = errors.New("acknowledgment control number")

// AcknowledgeX12 validates data and writes the acknowledgment the report
// calls for: a TA1 when the interchange envelope is unusable, a 999
// otherwise. Dates are Validate.Today (now when zero). Errors:
// ErrX12Unreadable (no ISA at all: nothing to acknowledge),
// ErrAckControlNumber, or the validator's.
func AcknowledgeX12(data []byte, o AckOutOptions) (*X12Ack, error) {
	rep, err := ValidateX12(data, o.Validate)
	if err != nil {
		return nil, err
	}
	if o.ControlNumber == nil {
		return nil, fmt.Errorf("app: %w: no allocator", ErrAckControlNumber)
	}
	at := o.Validate.Today
	if at.IsZero() {
		at = time.Now().UTC()
	}
	clm := claimIDsOf(data)
	var b bytes.Buffer
	kind, err := snip.WriteAck(&b, rep, snip.AckOptions{
		Date: at, NewlineAfterSegment: o.Newlines, ClaimID: clm.of,
		ControlNumber: func(ic *snip.Interchange) (int, error) {
			n, err := o.ControlNumber(ackSender(ic))
			if err != nil {
				return 0, fmt.Errorf("%w: %w", ErrAckControlNumber, err)
			}
			return n, nil
		},
	})
	if errors.Is(err, snip.ErrNothingToAcknowledge) {
		return nil, fmt.Errorf("app: %w", ErrX12Unreadable)
	}
	if err != nil {
		return nil, err
	}
	return &X12Ack{Kind: string(kind), X12: b.Bytes(), Report: rep}, nil
}

// ackSender is our ISA06 on an acknowledgment: the received ISA08.
func ackSender(ic *snip.Interchange) string {
	if s := strings.TrimSpace(ic.Receiver); s != "" {
		return s
	}
	return "UNKNOWN"
}

// AckControlNumbers is the allocator of AcknowledgeX12 for a tenant: the
// store's counter for the tenant and our ISA06 sender on the
// acknowledgment, with the same block reservation as ControlNumbers.
func (s *Service) AckControlNumbers(ctx context.Context, tenant string) func(sender string) (int, error) {
	return func(sender string) (int, error) {
		if err := s.ensureTenant(ctx, tenant); err != nil {
			return 0, err
		}
		if s.opts.ControlNumberBlock > 1 {
			return s.fromBlock(ctx, tenant, sender)
		}
		n, err := s.store.NextControlNumber(ctx, tenant, sender)
		return int(n), err
	}
}

// claimIndex knows the CLM01 of every claim of every set, by position, so
// that an IK3 in a claim's loops can name the claim (X231A1 2100 CTX
// business unit identifier, spec x12.md §6.2: "CTX with CLM01 to name the
// claim"). The value goes back only to the submitter, who wrote it.
type claimIndex map[[3]int][]clmAt

type clmAt struct {
	pos   int // position in the set (ST = 1)
	clm01 string
}

func claimIDsOf(data []byte) claimIndex {
	idx := claimIndex{}
	rd := x12.NewReader(bytes.NewReader(data), x12.ReaderOptions{})
	var ic, grp, set, pos int
	for {
		s, err := rd.NextView()
		if err == io.EOF {
			return idx
		}
		if err != nil {
			var xe *x12.Error
			if errors.As(err, &xe) && xe.Code == x12.CodeSegmentIDInvalid {
				pos++
				continue
			}
			return idx
		}
		switch s.ID {
		case "ISA":
			ic, grp, set = ic+1, 0, 0
		case "GS":
			grp, set = grp+1, 0
		case "ST":
			set, pos = set+1, 1
		default:
			pos++
		}
		if s.ID == "CLM" && s.Element(1) != "" {
			k := [3]int{ic, grp, set}
			idx[k] = append(idx[k], clmAt{pos: pos, clm01: strings.Clone(s.Element(1))})
		}
	}
}

// of is the CLM01 of the claim an issue lies in: the last CLM at or before
// the issue's segment in its set, for issues in the claim's loops (2300 and
// below); "" otherwise.
func (c claimIndex) of(is snip.Issue) string {
	if !strings.HasPrefix(is.Loop, "23") && !strings.HasPrefix(is.Loop, "24") {
		return ""
	}
	id := ""
	for _, at := range c[[3]int{is.Interchange, is.Group, is.Set}] {
		if at.pos > is.SegmentInSet {
			break
		}
		id = at.clm01
	}
	// CTX01-2 is AN 1/35 (X231A1); a value our delimiters cannot carry or
	// that does not fit is left out rather than breaking the 999.
	if len(id) > 35 || x12.DefaultDelimiters.Contains(id) || strings.ContainsAny(id, "\r\n") {
		return ""
	}
	return id
}
