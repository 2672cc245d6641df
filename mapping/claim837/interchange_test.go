package claim837_test

import (
	"bytes"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

var icAt = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func TestInterchangeOfOneClaimIsWrite(t *testing.T) {
	prof := profile.Default()
	for name, rec := range records(t) {
		want, err := claim837.Write(rec, prof, claim837.Options{ControlNumber: 42, At: icAt})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		ic, err := claim837.NewInterchange(&buf, prof, claim837.Options{ControlNumber: 42, At: icAt})
		if err != nil {
			t.Fatal(err)
		}
		ic.BeginSet("0042", rec.RecordID, rec)
		ic.Provider(rec)
		ic.Claim(rec)
		ic.EndSet()
		if err := ic.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s: the interchange writer differs from Write", name)
		}
	}
}

// TestInterchangeOfManyClaims writes every test record twice under two
// providers in two sets and reads them back: envelope counts, HL parents
// and every claim as the 837D carries it.
func TestInterchangeOfManyClaims(t *testing.T) {
	prof := profile.Default()
	recs := records(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range recs {
			if !yield(n) {
				return
			}
		}
	})
	var buf bytes.Buffer
	ic, err := claim837.NewInterchange(&buf, prof, claim837.Options{ControlNumber: 9, At: icAt, NewlineAfterSegment: true})
	if err != nil {
		t.Fatal(err)
	}
	var want []*record.Record
	for set := 1; set <= 2; set++ {
		first := recs[names[0]]
		ic.BeginSet("000"+strconv.Itoa(set), "B-"+strconv.Itoa(set), first)
		for _, group := range [][]string{names[:2], names[2:]} {
			ic.Provider(recs[group[0]])
			for _, n := range group {
				r := recs[n].Clone()
				r.BillingProvider = recs[group[0]].BillingProvider        // same provider within the loop
				r.Submitter, r.Receiver = first.Submitter, first.Receiver // and 1000A/B within the set
				ic.Claim(r)
				want = append(want, x12View(r, prof))
			}
		}
		ic.EndSet()
	}
	if err := ic.Close(); err != nil {
		t.Fatal(err)
	}
	segs, err := x12.ReadAll(bytes.NewReader(buf.Bytes()), x12.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ec := x12.NewEnvelopeChecker()
	levels := map[string]string{} // HL id → level, per set
	sets := 0
	for _, s := range segs {
		for _, e := range ec.Add(s) {
			t.Errorf("envelope: %v", e)
		}
		switch s.ID {
		case "ST":
			sets++
			clear(levels)
		case "HL":
			id, parent, level := s.Element(1), s.Element(2), s.Element(3)
			if id != strconv.Itoa(len(levels)+1) {
				t.Errorf("HL %s out of order", id)
			}
			wantParent := map[string]string{"20": "", "22": "20", "23": "22"}[level]
			if levels[parent] != wantParent || (parent == "") != (level == "20") {
				t.Errorf("HL %s (%s) has parent %q (%s)", id, level, parent, levels[parent])
			}
			levels[id] = level
		}
	}
	for _, e := range ec.Finish() {
		t.Errorf("envelope: %v", e)
	}
	if sets != 2 {
		t.Errorf("%d sets", sets)
	}
	var got []*record.Record
	if err := claim837.Read(bytes.NewReader(buf.Bytes()), func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d claims read back, want %d", len(got), len(want))
	}
	for i := range got {
		g, _ := jsonOf(got[i])
		w, _ := jsonOf(want[i])
		if !bytes.Equal(g, w) {
			t.Errorf("claim %d:\n got %s\nwant %s", i, g, w)
		}
	}
}
