package claim837

import (
	"fmt"
	"io"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// Interchange writes one interchange of many claims as it goes (a batch):
// one ISA/GS, then transaction sets, each holding billing-provider loops
// (2000A) with the claims of that provider under them, one subscriber loop
// (2000B, and 2000C for a dependent) per claim. Write does the same for one
// claim in one set; a single claim written here gives the same segments.
//
//	ic, _ := NewInterchange(out, prof, opts)
//	ic.BeginSet("0001", "BATCH-1", first)
//	ic.Provider(first)
//	ic.Claim(first)
//	…
//	ic.EndSet()
//	err := ic.Close()
//
// Records must have passed the scrubber. The caller keeps the envelope
// sane: ST02 unique in the interchange, every record of a set with the
// submitter and receiver of the set's first record, every claim under the
// provider loop of its own billing provider.
type Interchange struct {
	w        *x12.Writer
	s        *segs
	prof     *profile.Profile
	at       time.Time
	provider int // HL id of the open 2000A, 0 when none
	claims   int // claims in the open set
}

// NewInterchange writes the ISA and GS (control number opts.ControlNumber).
func NewInterchange(out io.Writer, prof *profile.Profile, opts Options) (*Interchange, error) {
	usage, err := envelopeUsage(prof, opts)
	if err != nil {
		return nil, err
	}
	at := opts.At.UTC()
	w := x12.NewWriter(out, x12.WriteOptions{NewlineAfterSegment: opts.NewlineAfterSegment})
	beginEnvelope(w, prof, opts.ControlNumber, usage, at)
	if err := w.Err(); err != nil {
		return nil, err
	}
	return &Interchange{w: w, s: &segs{w: w}, prof: prof, at: at}, nil
}

// BeginSet opens a transaction set with ST02 control and BHT03 bht03, its
// submitter (1000A) and receiver (1000B) taken from first.
func (ic *Interchange) BeginSet(control, bht03 string, first *record.Record) error {
	ic.w.BeginTransaction("837", control, Version)
	ic.s.hl, ic.provider, ic.claims = 0, 0, 0
	ic.s.header(first.Defaulted(), bht03, ic.prof, ic.at)
	return ic.w.Err()
}

// Provider opens a billing-provider loop (2000A) from r's billing provider;
// the claims that follow go under it.
func (ic *Interchange) Provider(r *record.Record) error {
	ic.provider = ic.s.billingProvider(r)
	return ic.w.Err()
}

// Claim writes r's subscriber loops and claim under the open provider loop.
func (ic *Interchange) Claim(r *record.Record) error {
	if ic.provider == 0 {
		return fmt.Errorf("claim837: claim outside a billing-provider loop")
	}
	r = r.Defaulted()
	ic.s.subscriber(r, ic.prof, ic.provider)
	ic.s.claim(r, ic.prof)
	ic.claims++
	return ic.w.Err()
}

// EndSet closes the open transaction set (SE).
func (ic *Interchange) EndSet() error {
	ic.w.EndTransaction()
	return ic.w.Err()
}

// Close writes GE and IEA.
func (ic *Interchange) Close() error {
	ic.w.EndGroup()
	ic.w.EndInterchange()
	return ic.w.Err()
}
