package app_test

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// TestRemitFHIRWarningsBounded maps 2 sets of 70 claims, each unbalanced
// and with a service line without REF*6R: 140 CLAIM_UNBALANCED and 2
// TRANSACTION_UNBALANCED from the reader, 140 FHIR_ITEM_SEQUENCE_FROM_ORDER
// from the mapping. The list keeps the reader's, then the mapping's, the
// first 100 of each code, and ends with one WARNINGS_OMITTED per cut code;
// the count is all 282.
func TestRemitFHIRWarningsBounded(t *testing.T) {
	const sets, claims, k = 2, 70, remit.MaxWarningsPerCode
	var in strings.Builder
	seg := func(f string, a ...any) { fmt.Fprintf(&in, f+"~\n", a...) }
	seg("ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*SMILECARE      *261120*1200*^*00501*000000778*0*T*:")
	seg("GS*HP*DENTALPLAN*SMILECARE*20261120*1200*778*X*005010X221A1")
	for s := 1; s <= sets; s++ {
		seg("ST*835*%04d", s)
		seg("BPR*I*%d*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*20261120", 50*claims)
		seg("TRN*1*W%d*1999999999", s)
		seg("N1*PR*EXAMPLE DENTAL PLAN*XV*DP0001")
		seg("N1*PE*SMILE CARE DENTAL*XX*1234567893")
		seg("LX*1")
		for c := 1; c <= claims; c++ {
			seg("CLP*W%dC%d*1*90*51**12*ICN%d-%d*11*1", s, c, s, c) // 90 − 40 = 50 ≠ 51
			seg("SVC*AD:D9997*90*50**1")
			seg("CAS*CO*45*40")
		}
		seg("SE*%d*%04d", 7+3*claims, s)
	}
	seg("GE*%d*778", sets)
	seg("IEA*1*000000778")

	st, err := app.WriteRemitBundle(io.Discard, strings.NewReader(in.String()), remit.Options{}, fhirmap.RemitOptions{At: time.Unix(0, 0)}, false)
	if err != nil {
		t.Fatal(err)
	}
	ws := st.Warnings
	var codes []string
	for i, w := range ws {
		if i == 0 || w.Code != ws[i-1].Code {
			codes = append(codes, w.Code)
		}
	}
	wantCodes := []string{remit.WarnClaimUnbalanced, remit.WarnTransactionUnbalanced, remit.WarnClaimUnbalanced,
		remit.WarnTransactionUnbalanced, fhirmap.WarnItemSequence, remit.WarnWarningsOmitted}
	if !reflect.DeepEqual(codes, wantCodes) || len(ws) != 2*k+sets+2 {
		t.Fatalf("%d warnings listed, codes in turn %v, want %d and %v", len(ws), codes, 2*k+sets+2, wantCodes)
	}
	cut := sets*claims - k
	for i, code := range []string{remit.WarnClaimUnbalanced, fhirmap.WarnItemSequence} {
		w := ws[len(ws)-2+i]
		if w.Omitted != cut || !strings.HasPrefix(w.Message, fmt.Sprintf("%d more warnings with code %s are not listed", cut, code)) {
			t.Errorf("omitted %d: %+v", i, w)
		}
	}
	if n := app.RemitWarningCount(ws); n != 2*sets*claims+sets {
		t.Errorf("count %d, want %d", n, 2*sets*claims+sets)
	}

	// The HTTP path (StreamRemitFHIR) gives the same list.
	hs, err := app.StreamRemitFHIR(io.Discard, []byte(in.String()), time.Unix(0, 0))
	if err != nil || !reflect.DeepEqual(hs.Warnings, ws) {
		t.Errorf("StreamRemitFHIR: err %v, %d warnings", err, len(hs.Warnings))
	}
}
