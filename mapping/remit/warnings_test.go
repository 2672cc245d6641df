package remit_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/mapping/remit"
)

const capK = remit.MaxWarningsPerCode

// seq is warnings of codes in turn: "A3" is three of code A, numbered by
// SegmentNumber from start.
func seq(start int, specs ...string) []remit.Warning {
	var out []remit.Warning
	for _, s := range specs {
		code, n := s[:1], 0
		fmt.Sscan(s[1:], &n)
		for i := 0; i < n; i++ {
			out = append(out, remit.Warning{Code: code, SegmentNumber: start})
			start++
		}
	}
	return out
}

func omitted(code string, n int) remit.Warning {
	return remit.Warning{Code: remit.WarnWarningsOmitted, Omitted: n,
		Message: fmt.Sprintf("%d more warnings with code %s are not listed; the first %d are", n, code, capK)}
}

func TestWarningsCollector(t *testing.T) {
	k := fmt.Sprint(capK)
	for _, tc := range []struct {
		name  string
		add   []remit.Warning
		want  []remit.Warning
		total int
	}{
		{"none", nil, []remit.Warning{}, 0},
		{"under the cap, order kept", seq(1, "A2", "B1", "A1"), seq(1, "A2", "B1", "A1"), 4},
		{"at the cap", seq(1, "A"+k), seq(1, "A"+k), capK},
		{"one over the cap", seq(1, "A"+fmt.Sprint(capK+1)), append(seq(1, "A"+k), omitted("A", 1)), capK + 1},
		{
			"several codes over the cap, interleaved: first K of each in order, cut codes in order of first cut",
			append(seq(1, "B"+k, "A"+k), seq(1000, "B5", "C3", "A7", "B2")...),
			append(append(seq(1, "B"+k, "A"+k), seq(1005, "C3")...), omitted("B", 7), omitted("A", 7)),
			2*capK + 5 + 3 + 7 + 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ws remit.Warnings
			for _, w := range tc.add {
				ws.Add(w)
			}
			got := ws.List()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("list\n got  %v\n want %v", got, tc.want)
			}
			if ws.Total() != tc.total || remit.WarningCount(got) != tc.total {
				t.Errorf("total %d, WarningCount %d, want %d", ws.Total(), remit.WarningCount(got), tc.total)
			}
			// Merging into a collector is adding each in turn.
			var a, b, m remit.Warnings
			half := len(tc.add) / 2
			for _, w := range tc.add[:half] {
				a.Add(w)
			}
			for _, w := range tc.add[half:] {
				b.Add(w)
			}
			m.Merge(&a)
			m.Merge(&b)
			if half > 0 && !reflect.DeepEqual(m.List(), tc.want) {
				t.Errorf("merged\n got  %v\n want %v", m.List(), tc.want)
			}
			ws.Reset()
			if l := ws.List(); len(l) != 0 || ws.Total() != 0 {
				t.Errorf("after Reset: %v", l)
			}
		})
	}
}

// TestWarningsCollectorSize adds a million warnings of five codes: what
// the collector holds stays at K per code.
func TestWarningsCollectorSize(t *testing.T) {
	var ws remit.Warnings
	codes := []string{"A", "B", "C", "D", "E"}
	const n = 1_000_000
	for i := 0; i < n; i++ {
		ws.Add(remit.Warning{Code: codes[i%len(codes)], SegmentNumber: i, Message: "m"})
	}
	list := ws.List()
	if ws.Total() != n || remit.WarningCount(list) != n || len(list) != len(codes)*(capK+1) {
		t.Fatalf("total %d, count %d, listed %d", ws.Total(), remit.WarningCount(list), len(list))
	}
	if c := remit.WarningsCap(&ws); c > 2*len(codes)*capK {
		t.Fatalf("the list's storage grew to %d warnings", c)
	}
}

// unbalanced835 writes sets sets of claims claims each, every claim paid
// one dollar more than its adjustments allow (CLAIM_UNBALANCED, and
// TRANSACTION_UNBALANCED for each set: BPR02 is the balanced total).
func unbalanced835(w io.Writer, sets, claims int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprint(bw, "ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*SMILECARE      *261120*1200*^*00501*000000900*0*T*:~\n")
	fmt.Fprint(bw, "GS*HP*DENTALPLAN*SMILECARE*20261120*1200*900*X*005010X221A1~\n")
	for s := 1; s <= sets; s++ {
		fmt.Fprintf(bw, "ST*835*%04d~\nBPR*I*%d*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*20261120~\n", s, 80*claims)
		fmt.Fprintf(bw, "TRN*1*T%d*1999999999~\nN1*PR*EXAMPLE DENTAL PLAN*XV*DP0001~\nN1*PE*SMILE CARE DENTAL*XX*1234567893~\nLX*1~\n", s)
		for c := 1; c <= claims; c++ {
			fmt.Fprintf(bw, "CLP*S%dC%d*1*120*81*20*12*ICN%d-%d*11*1~\n", s, c, s, c)
			fmt.Fprint(bw, "SVC*AD:D9997*120*80**1~\nCAS*CO*45*40~\nREF*6R*1~\n")
		}
		fmt.Fprintf(bw, "SE*%d*%04d~\n", 7+4*claims, s)
	}
	fmt.Fprintf(bw, "GE*%d*900~\nIEA*1*000000900~\n", sets)
	return bw.Flush()
}

// TestWarningsCapEndToEnd reads 3 sets of 120 unbalanced claims: 360
// CLAIM_UNBALANCED (100 listed: the first set's, in claim order) and 3
// TRANSACTION_UNBALANCED, in every output.
func TestWarningsCapEndToEnd(t *testing.T) {
	const sets, claims = 3, 120
	var in bytes.Buffer
	if err := unbalanced835(&in, sets, claims); err != nil {
		t.Fatal(err)
	}
	const total = sets*claims + sets
	check := func(what string, ws []remit.Warning) {
		t.Helper()
		if len(ws) != capK+sets+1 || remit.WarningCount(ws) != total {
			t.Fatalf("%s: %d listed, count %d, want %d and %d", what, len(ws), remit.WarningCount(ws), capK+sets+1, total)
		}
		for i, w := range ws[:capK] {
			if w.Code != remit.WarnClaimUnbalanced || w.SegmentNumber != 9+4*i {
				t.Fatalf("%s: warning %d is %+v", what, i, w)
			}
		}
		for _, w := range ws[capK : capK+sets] {
			if w.Code != remit.WarnTransactionUnbalanced {
				t.Fatalf("%s: %+v, want TRANSACTION_UNBALANCED", what, w)
			}
		}
		if last := ws[len(ws)-1]; !reflect.DeepEqual(last, omitted(remit.WarnClaimUnbalanced, sets*claims-capK)) {
			t.Fatalf("%s: last %+v", what, last)
		}
	}
	ws, err := remit.Read(bytes.NewReader(in.Bytes()), remit.Options{}, func(*remit.Transaction) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	check("Read", ws)

	var js bytes.Buffer
	tot, err := remit.WriteFindings(bytes.NewReader(in.Bytes()), remit.Options{}, remit.NewJSONWriter(&js, false))
	if err != nil {
		t.Fatal(err)
	}
	check("WriteFindings", tot.Warnings)
	var rep remit.Report
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	check("JSON report", rep.Warnings)
	if want := fmt.Sprintf(`{"code":"WARNINGS_OMITTED","segment_number":0,"segment_id":"","element":"","message":"%d more warnings with code CLAIM_UNBALANCED are not listed; the first 100 are","omitted":%[1]d}]`, sets*claims-capK); !strings.Contains(js.String(), want) {
		t.Errorf("JSON report lacks %s", want)
	}

	var nd bytes.Buffer
	if _, err := remit.WriteFindings(bytes.NewReader(in.Bytes()), remit.Options{}, remit.NewNDJSONWriter(&nd)); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`,"warnings":%d}`, total); !strings.HasSuffix(strings.TrimSpace(nd.String()), want) {
		t.Errorf("ndjson ends %q, want %q", nd.String()[max(0, nd.Len()-80):], want)
	}

	var table bytes.Buffer
	full, err := remit.BuildReport(bytes.NewReader(in.Bytes()), remit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := remit.WriteTable(&table, full); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("Warnings: %d\n", total); !strings.Contains(table.String(), want) {
		t.Errorf("table lacks %q", want)
	}
}

// nopHandler keeps nothing.
type nopHandler struct{ claim func() }

func (nopHandler) Begin(*remit.Transaction) error { return nil }
func (h nopHandler) Claim(*remit.Transaction, *remit.Claim, *remit.Claim) error {
	h.claim()
	return nil
}
func (nopHandler) End(*remit.Transaction) error { return nil }

// TestWarningsMemoryFlat streams one set of 40,000 unbalanced claims (a
// CLAIM_UNBALANCED each, held until the set's SE): the live heap after
// claim 1,000 and after the last are about the same. Unbounded, the
// 39,000 warnings between would be ~7 MB.
func TestWarningsMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ~3 MB")
	}
	const claims = 40_000
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(unbalanced835(pw, 1, claims)) }()
	var early, late uint64
	n := 0
	ws, err := remit.Stream(pr, remit.Options{}, nopHandler{claim: func() {
		n++
		switch n {
		case 1000:
			early = liveHeap()
		case claims - 1: // the last is handed out at SE, after the balancing
			late = liveHeap()
		}
	}})
	if err != nil || remit.WarningCount(ws) != claims+1 || len(ws) != capK+2 {
		t.Fatalf("err %v, %d warnings listed, count %d", err, len(ws), remit.WarningCount(ws))
	}
	t.Logf("live heap after claim 1000: %d KB, after claim %d: %d KB", early>>10, claims-1, late>>10)
	if late > early+512<<10 {
		t.Fatalf("heap grew from %d KB to %d KB while streaming", early>>10, late>>10)
	}
}
