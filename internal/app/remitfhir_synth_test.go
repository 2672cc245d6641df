package app_test

import (
	"bytes"
	"fmt"
	"strings"
)

// synth835 writes a deterministic 835 that exercises everything a FHIR set
// needs at its end: reversals of earlier claims of the same set (and of
// claims not in it), an original sent again after its reversal, PLB
// references to a claim's ICN, to its CLP01, to an ICN or CLP01 two claims
// share, to nothing, two PLBs on one claim (same and different reasons), a
// payee change between claims, lines without REF*6R (item sequence from
// line order), and a BPR02 that does not balance. sets sets of claims
// claims each.
func synth835(sets, claims int) []byte {
	var b bytes.Buffer
	seg := func(f string, a ...any) { fmt.Fprintf(&b, f, a...); b.WriteString("~\n") }
	seg("ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*SMILECARE      *261120*1200*^*00501*000000777*0*T*:")
	seg("GS*HP*DENTALPLAN*SMILECARE*20261120*1200*777*X*005010X221A1")
	for s := 1; s <= sets; s++ {
		var body bytes.Buffer
		n := 0
		bseg := func(f string, a ...any) { fmt.Fprintf(&body, f, a...); body.WriteString("~\n"); n++ }
		paid := 0
		icn := func(i int) string {
			switch {
			case i%17 == 5: // shared with the claim before it
				return fmt.Sprintf("ICN%d-%d", s, i-1)
			case i%11 == 7 && i > 7: // reverses claim i-7 (same ICN), see status
				return fmt.Sprintf("ICN%d-%d", s, i-7)
			}
			return fmt.Sprintf("ICN%d-%d", s, i)
		}
		for i := 0; i < claims; i++ {
			status, sign := "1", 1
			switch {
			case i%11 == 7 && i > 7:
				status, sign = "22", -1
			case i%13 == 4:
				status = "4"
			case i%19 == 9:
				status = "22" // a reversal of a claim not in the file
				sign = -1
			case i%23 == 12:
				status = "25"
			}
			pcn := fmt.Sprintf("PCN%d-%d", s, i)
			if i%29 == 3 && i > 0 {
				pcn = fmt.Sprintf("PCN%d-%d", s, i-1) // shares CLP01
			}
			if i == claims/2 {
				bseg("N1*PE*SECOND OFFICE*XX*1497758544")
				bseg("REF*TJ*987654321")
				bseg("LX*2")
			}
			charge := 100 + i%50
			p := charge - 20
			if status == "4" || status == "25" {
				p = 0
			}
			charge, p = sign*charge, sign*p
			paid += p
			bseg("CLP*%s*%s*%d*%d*%d*12*%s*11*1", pcn, status, charge, p, sign*20*boolInt(p != 0), icn(i))
			bseg("NM1*QC*1*DOE*JANE****MI*M%d-%d", s, i)
			bseg("DTM*232*20261015")
			bseg("SVC*AD:D9997*%d*%d**1", charge, p)
			bseg("DTM*472*20261015")
			if p == 0 {
				bseg("CAS*CO*16*%d", charge)
				bseg("LQ*HE*N211")
			} else {
				bseg("CAS*CO*45*%d", sign*20)
			}
			if i%7 != 6 {
				bseg("REF*6R*%s-1", pcn)
			}
		}
		var plbs []string
		plb := 0
		add := func(reason, ref string, amt int) {
			plbs = append(plbs, fmt.Sprintf("%s:%s*%d", reason, ref, amt))
			plb += amt
		}
		add("WO", fmt.Sprintf("ICN%d-%d", s, 2), 5)          // one claim's ICN
		add("L6", fmt.Sprintf("ICN%d-%d", s, 2), -3)         // the same claim, another reason
		add("WO", fmt.Sprintf("PCN%d-%d", s, 8), 4)          // a CLP01
		add("WO", fmt.Sprintf("ICN%d-%d", s, 4), 2)          // an ICN two claims share
		add("FB", fmt.Sprintf("PCN%d-%d", s, 2), 1)          // a CLP01 two claims share
		add("WO", "FOREIGN-1", 7)                            // nothing in the set
		add("L6", fmt.Sprintf("ICN%d-%d", s, claims-1), -1)  // the last claim
		add("WO", fmt.Sprintf(" ICN%d-%d ", s, claims-2), 1) // padded
		add("WO", fmt.Sprintf("ICN%d-%d", s, claims-2), 1)   // twice the same reason
		plbSegs := []string{}
		for len(plbs) > 0 {
			k := min(len(plbs), 6)
			plbSegs = append(plbSegs, "PLB*1234567893*20261231*"+strings.Join(plbs[:k], "*"))
			plbs = plbs[k:]
		}
		bpr := paid - plb
		if s%2 == 0 {
			bpr += 9 // does not balance
		}
		seg("ST*835*%04d", s)
		seg("BPR*I*%d*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*20261120", bpr)
		seg("TRN*1*SYN%d*1999999999", s)
		seg("DTM*405*20261119")
		seg("N1*PR*EXAMPLE DENTAL PLAN*XV*DP0001")
		seg("N3*100 PAYER WAY")
		seg("N4*ANYTOWN*CA*90001")
		seg("N1*PE*SMILE CARE DENTAL*XX*1234567893")
		seg("REF*TJ*123456789")
		seg("LX*1")
		b.Write(body.Bytes())
		for _, p := range plbSegs {
			seg("%s", p)
		}
		seg("SE*%d*%04d", n+len(plbSegs)+11, s)
	}
	seg("GE*%d*777", sets)
	seg("IEA*1*000000777")
	return b.Bytes()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
