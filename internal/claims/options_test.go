package claims_test

import (
	"errors"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
)

func TestAllocateOnlyForCleanRecords(t *testing.T) {
	calls := 0
	alloc := func() (int, error) { calls++; return 77, nil }
	bad := golden.Record(t, "../../testdata/records/dependent.json")
	bad.BillingProvider.NPI = "1234567890"
	res, err := claims.Generate(bad, profile.Default(), claims.Options{Allocate: alloc, At: at})
	if err != nil || res.X12 != nil || calls != 0 {
		t.Fatalf("refused record: err %v, x12 %v, %d allocations", err, res.X12 != nil, calls)
	}
	good := golden.Record(t, "../../testdata/records/dependent.json")
	res, err = claims.Generate(good, profile.Default(), claims.Options{Allocate: alloc, At: at})
	if err != nil || calls != 1 || res.ControlNumbers.Interchange != "000000077" {
		t.Fatalf("clean record: err %v, %d allocations, %+v", err, calls, res.ControlNumbers)
	}
	_, err = claims.Generate(good, profile.Default(), claims.Options{Allocate: func() (int, error) { return 0, errors.New("disk full") }, At: at})
	if !errors.Is(err, claims.ErrControlNumber) {
		t.Fatalf("allocation failure: %v", err)
	}
}

func TestParseOptions(t *testing.T) {
	now := time.Date(2026, 11, 27, 5, 0, 0, 0, time.FixedZone("X", 3600))
	test, prod := profile.Default(), profile.Default()
	prod.Interchange.Usage = "P"
	tests := []struct {
		name, cn, at, usage string
		prof                *profile.Profile
		option              string // "" = accepted
	}{
		{"defaults", "", "", "", test, ""},
		{"all given", "12", "2026-11-27T10:00:00+02:00", "T", test, ""},
		{"bad usage", "", "", "X", test, "usage"},
		{"zero", "0", "", "", test, "control_number"},
		{"too big", "1000000000", "", "", test, "control_number"},
		{"not a number", "12a", "", "", test, "control_number"},
		{"P without number", "", "", "P", test, ""}, // the store allocates it
		{"profile P without number", "", "", "", prod, ""},
		{"profile P overridden", "", "", "T", prod, ""},
		{"bad at", "", "yesterday", "", test, "at"},
	}
	for _, tc := range tests {
		opts, err := claims.ParseOptions(tc.cn, tc.at, tc.usage, tc.prof, now)
		var oe *claims.OptionError
		switch {
		case tc.option == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.option != "" && (!errors.As(err, &oe) || oe.Option != tc.option):
			t.Errorf("%s: got %v, want an error on %s", tc.name, err, tc.option)
		}
		if tc.name == "all given" && (opts.ControlNumber != 12 || opts.Usage != "T" || !opts.At.Equal(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)) || opts.At.Location() != time.UTC) {
			t.Errorf("all given: %+v", opts)
		}
		if tc.name == "defaults" && (!opts.At.Equal(now) || opts.At.Location() != time.UTC) {
			t.Errorf("defaults: %+v", opts)
		}
	}
}
