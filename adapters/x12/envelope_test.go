package x12_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
)

const testdataDir = "../../testdata/x12"

// issue is the typed part of an *x12.Error that the tests pin.
type issue struct {
	Code    x12.Code
	Segment int
	ID      string
	Element int
}

// checkStream reads in fully and runs the envelope checker over it.
func checkStream(t *testing.T, in io.Reader) (segs int, delims x12.Delimiters, got []issue) {
	t.Helper()
	r := x12.NewReader(in, x12.ReaderOptions{})
	c := x12.NewEnvelopeChecker()
	add := func(errs []*x12.Error) {
		for _, e := range errs {
			got = append(got, issue{e.Code, e.Segment, e.SegmentID, e.Element})
			if e.Msg == "" {
				t.Errorf("issue without message: %+v", e)
			}
		}
	}
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reader error: %v", err)
		}
		segs++
		add(c.Add(s))
	}
	add(c.Finish())
	return segs, r.Delimiters(), got
}

// TestPublicSamples reads every public sample to the end and pins the
// envelope defects documented in testdata/x12/SOURCES.md.
func TestPublicSamples(t *testing.T) {
	tests := []struct {
		file   string
		segs   int
		delims x12.Delimiters
		issues []issue
	}{
		{"databricks_835_plb_sample.x12", 50, x12.DefaultDelimiters, []issue{
			{x12.CodeSE02Mismatch, 48, "SE", 2},
			{x12.CodeIEA02Mismatch, 50, "IEA", 2},
		}},
		{"databricks_835_sample_services.x12", 35, x12.DefaultDelimiters, []issue{
			{x12.CodeGE01Count, 34, "GE", 1},
			{x12.CodeIEA02Mismatch, 35, "IEA", 2},
		}},
		{"imsweb_999_accepted.x12", 10, x12.DefaultDelimiters, []issue{
			{x12.CodeIEA02Mismatch, 10, "IEA", 2},
		}},
		{"imsweb_999_rejected.x12", 11, x12.Delimiters{'*', '|', '^', '~'}, nil},
		{"imsweb_999_rejected_with_ta1.x12", 13, x12.DefaultDelimiters, nil},
		{"lfh_835_cob_contractural_adjustment.x12", 29, x12.DefaultDelimiters, nil},
		{"lfh_835_managed_care.x12", 30, x12.DefaultDelimiters, nil},
		{"lfh_835_medicare_part_a.x12", 32, x12.DefaultDelimiters, nil},
		{"lfh_835_secondary_payment.x12", 42, x12.DefaultDelimiters, nil},
		{"lfh_835_tertiary_payment.x12", 27, x12.DefaultDelimiters, nil},
		{"machete_837d_tr3_d3320_quirky.x12", 33, x12.Delimiters{'*', ':', '^', '\n'}, []issue{
			{x12.CodeSE01Count, 32, "SE", 1},
			{x12.CodeEnvelopeUnclosed, 2, "GS", 0}, // no GE: reported at the GS when IEA arrives
		}},
		{"moov_835_sample1.x12", 66, x12.Delimiters{'*', '>', 0, '~'}, nil},
		{"moov_835_sample2.x12", 36, x12.DefaultDelimiters, nil},
		{"moov_837d_sample.x12", 35, x12.DefaultDelimiters, nil},
		{"stedi_837d_openapi_example.x12", 39, x12.Delimiters{'*', '>', '^', '~'}, nil},
		{"tigershark_835_dental_example1.x12", 76, x12.Delimiters{'*', '|', '^', '~'}, nil},
		{"tigershark_835_example2.x12", 56, x12.DefaultDelimiters, []issue{
			{x12.CodeSE02Mismatch, 54, "SE", 2},
		}},
		{"tigershark_835_example3.x12", 49, x12.DefaultDelimiters, nil},
	}
	files, err := filepath.Glob(filepath.Join(testdataDir, "*.x12"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("found %d sample files (%v), table has %d", len(files), err, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(testdataDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			segs, delims, got := checkStream(t, f)
			if segs != tt.segs || delims != tt.delims {
				t.Errorf("segments=%d delims=%+v, want %d %+v", segs, delims, tt.segs, tt.delims)
			}
			if !equalIssues(got, tt.issues) {
				t.Errorf("issues:\n got  %+v\n want %+v", got, tt.issues)
			}
		})
	}
}

func equalIssues(a, b []issue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// env builds an interchange from '~'-joined segments.
func env(segs ...string) string {
	isa := "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240305*1407*^*00501*000000042*0*T*:~"
	return isa + strings.Join(segs, "~") + "~"
}

func TestEnvelopeChecks(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		issues []issue
	}{
		{"correct", env("GS*HC*S*R*20240305*1407*7*X*V", "ST*837*0001", "BHT*1", "SE*3*0001", "ST*837*0002", "SE*2*0002", "GE*2*7", "IEA*1*000000042"), nil},
		{"control numbers compared as numbers", env("GS*HC*S*R*20240305*1407*7*X*V", "ST*837*0001", "SE*02*0001", "GE*01*0007", "IEA*1*42"), nil},
		{"TA1 only", env("TA1*000000001*240305*1407*A*000", "IEA*0*000000042"), nil},
		{"SE01 wrong", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "BHT*1", "SE*2*0001", "GE*1*7", "IEA*1*000000042"),
			[]issue{{x12.CodeSE01Count, 5, "SE", 1}}},
		{"SE01 not a number", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "SE*X*0001", "GE*1*7", "IEA*1*000000042"),
			[]issue{{x12.CodeSE01Count, 4, "SE", 1}}},
		{"SE02 mismatch", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "SE*2*1", "GE*1*7", "IEA*1*000000042"),
			[]issue{{x12.CodeSE02Mismatch, 4, "SE", 2}}},
		{"GE01 wrong", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "SE*2*0001", "GE*2*7", "IEA*1*000000042"),
			[]issue{{x12.CodeGE01Count, 5, "GE", 1}}},
		{"GE02 mismatch", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "SE*2*0001", "GE*1*8", "IEA*1*000000042"),
			[]issue{{x12.CodeGE02Mismatch, 5, "GE", 2}}},
		{"IEA01 wrong", env("GS*HC*S*R*1*1*7*X*V", "GE*0*7", "IEA*2*000000042"),
			[]issue{{x12.CodeIEA01Count, 4, "IEA", 1}}},
		{"IEA02 mismatch", env("GS*HC*S*R*1*1*7*X*V", "GE*0*7", "IEA*1*000000043"),
			[]issue{{x12.CodeIEA02Mismatch, 4, "IEA", 2}}},
		{"IEA02 missing", env("IEA*0"),
			[]issue{{x12.CodeIEA02Mismatch, 2, "IEA", 2}}},
		{"ST outside GS", env("ST*837*0001", "SE*2*0001", "IEA*0*000000042"),
			[]issue{{x12.CodeEnvelopeUnexpected, 2, "ST", 0}}},
		{"SE without ST", env("GS*HC*S*R*1*1*7*X*V", "SE*2*0001", "GE*0*7", "IEA*1*000000042"),
			[]issue{{x12.CodeEnvelopeUnexpected, 3, "SE", 0}}},
		{"GE without GS", env("GE*0*7", "IEA*0*000000042"),
			[]issue{{x12.CodeEnvelopeUnexpected, 2, "GE", 0}}},
		{"GS after IEA", env("IEA*0*000000042", "GS*HC*S*R*1*1*7*X*V", "GE*0*7"),
			[]issue{{x12.CodeEnvelopeUnexpected, 3, "GS", 0}}},
		{"IEA twice", env("IEA*0*000000042", "IEA*0*000000042"),
			[]issue{{x12.CodeEnvelopeUnexpected, 3, "IEA", 0}}},
		{"data between SE and GE", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "SE*2*0001", "NM1*X", "GE*1*7", "IEA*1*000000042"),
			[]issue{{x12.CodeEnvelopeUnexpected, 5, "NM1", 0}}},
		{"TA1 inside group", env("GS*HC*S*R*1*1*7*X*V", "TA1*1", "GE*0*7", "IEA*1*000000042"),
			[]issue{{x12.CodeEnvelopeUnexpected, 3, "TA1", 0}}},
		{"missing SE before GE", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "BHT*1", "GE*0*7", "IEA*1*000000042"),
			[]issue{{x12.CodeEnvelopeUnclosed, 3, "ST", 0}}},
		{"missing SE before next ST", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "ST*837*0002", "SE*2*0002", "GE*1*7", "IEA*1*000000042"),
			[]issue{{x12.CodeEnvelopeUnclosed, 3, "ST", 0}}},
		{"missing GE before next GS", env("GS*HC*S*R*1*1*7*X*V", "GS*HC*S*R*1*1*8*X*V", "GE*0*8", "IEA*2*000000042"),
			[]issue{{x12.CodeEnvelopeUnclosed, 2, "GS", 0}}},
		{"missing IEA before next ISA", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001") + env("IEA*0*000000042"),
			[]issue{{x12.CodeEnvelopeUnclosed, 3, "ST", 0}, {x12.CodeEnvelopeUnclosed, 2, "GS", 0}, {x12.CodeEnvelopeUnclosed, 1, "ISA", 0}}},
		{"unclosed at end of input", env("GS*HC*S*R*1*1*7*X*V", "ST*837*0001", "BHT*1"),
			[]issue{{x12.CodeEnvelopeUnclosed, 3, "ST", 0}, {x12.CodeEnvelopeUnclosed, 2, "GS", 0}, {x12.CodeEnvelopeUnclosed, 1, "ISA", 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, got := checkStream(t, strings.NewReader(tt.in))
			if !equalIssues(got, tt.issues) {
				t.Errorf("issues:\n got  %+v\n want %+v", got, tt.issues)
			}
		})
	}
}

func TestEnvelopeIssuesHaveNoValues(t *testing.T) {
	in := env("GS*HC*S*R*1*1*SECRET1*X*V", "ST*837*SECRET2", "SE*SECRET3*SECRET4", "GE*SECRET5*SECRET6", "IEA*SECRET7*SECRET8")
	r := x12.NewReader(strings.NewReader(in), x12.ReaderOptions{})
	c := x12.NewEnvelopeChecker()
	n := 0
	for {
		s, err := r.Next()
		if err != nil {
			break
		}
		for _, e := range c.Add(s) {
			n++
			if strings.Contains(e.Error(), "SECRET") {
				t.Fatalf("issue text leaks a value: %v", e)
			}
		}
	}
	if n != 6 {
		t.Fatalf("got %d issues, want 6", n)
	}
}

func TestFinishResets(t *testing.T) {
	c := x12.NewEnvelopeChecker()
	segs, err := x12.ReadAll(strings.NewReader(env("GS*HC*S*R*1*1*7*X*V")), x12.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		c.Add(s)
	}
	if n := len(c.Finish()); n != 2 {
		t.Fatalf("got %d issues", n)
	}
	if n := len(c.Finish()); n != 0 {
		t.Fatalf("second Finish gave %d issues", n)
	}
}
