// Package gen835 writes large, realistic, balanced 835 (005010X221A1)
// remittances for benchmarks and memory tests, and records what it wrote
// (claims, statuses, totals) so readers can be checked against it. Output
// is deterministic for a seed. Big files are generated, never committed.
package gen835

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Config shapes the file.
type Config struct {
	Sets          int    // transaction sets (ST/SE)
	ClaimsPerSet  int    // claims in each set
	Seed          uint64 // same seed, same bytes
	SegmentsPerLn bool   // a line break after every segment terminator
}

// Record is what Write wrote, in the findings report's terms.
type Record struct {
	Bytes          int64          `json:"bytes"`
	Sets           int            `json:"sets"`
	Claims         int            `json:"claims"`
	Lines          int            `json:"lines"`
	ByStatus       map[string]int `json:"by_status"`
	Charge         string         `json:"charge"`          // Σ CLP03
	Paid           string         `json:"paid"`            // Σ CLP04
	DeniedAmount   string         `json:"denied_amount"`   // the summary's denied_amount
	ReversedAmount string         `json:"reversed_amount"` // the summary's reversed_amount
	PLBs           int            `json:"provider_adjustments"`

	charge, paid, denied, reversed int64 // cents
}

var procedures = []string{"D0120", "D0150", "D0210", "D0274", "D1110", "D1120", "D1206", "D2140", "D2330", "D2392", "D2740", "D2950", "D3330", "D4341", "D7140", "D9997"}

type line struct {
	proc                  string
	charge, paid, allowed int64
	cas                   []cas
	remark                string
}

type cas struct {
	group, reason string
	amount        int64
}

type claim struct {
	pcn, icn, status string
	charge, paid, pr int64
	lines            []line
	denied           int64 // denial-category finding amounts
}

// Write writes the 835 to w.
func Write(w io.Writer, cfg Config) (Record, error) {
	if cfg.Sets < 1 {
		cfg.Sets = 1
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 256<<10)
	g := &gen{cfg: cfg, bw: bw, rec: Record{ByStatus: map[string]int{}}, nl: cfg.SegmentsPerLn}
	g.seg("ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*SMILECARE      *261120*1200*^*00501*000000901*0*P*:")
	g.seg("GS*HP*DENTALPLAN*SMILECARE*20261120*1200*901*X*005010X221A1")
	for s := 1; s <= cfg.Sets; s++ {
		g.set(s, cfg.ClaimsPerSet)
	}
	g.seg("GE*" + strconv.Itoa(cfg.Sets) + "*901")
	g.seg("IEA*1*000000901")
	if err := bw.Flush(); err != nil {
		return Record{}, err
	}
	r := g.rec
	r.Bytes = cw.n
	r.Sets = cfg.Sets
	r.Charge, r.Paid = Cents(r.charge), Cents(r.paid)
	r.DeniedAmount, r.ReversedAmount = Cents(r.denied), Cents(r.reversed)
	return r, nil
}

type gen struct {
	cfg  Config
	bw   *bufio.Writer
	rec  Record
	nl   bool
	n    int // segments in the open set
	buf  []byte
	next int // claim serial
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (g *gen) seg(s string) {
	g.bw.WriteString(s)
	g.bw.WriteByte('~')
	if g.nl {
		g.bw.WriteByte('\n')
	}
	g.n++
}

func (g *gen) segf(format string, args ...any) {
	g.buf = fmt.Appendf(g.buf[:0], format, args...)
	g.bw.Write(g.buf)
	g.bw.WriteByte('~')
	if g.nl {
		g.bw.WriteByte('\n')
	}
	g.n++
}

// Cents formats cents as the report does: "12.34", "-0.50".
func Cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// x12 formats cents in the short X12 form: "120", "12.5", "-3.01".
func x12(c int64) string {
	s := Cents(c)
	switch {
	case len(s) > 3 && s[len(s)-3:] == ".00":
		return s[:len(s)-3]
	case s[len(s)-1] == '0':
		return s[:len(s)-1]
	}
	return s
}

func (g *gen) set(s, claims int) {
	// BPR02 = Σ CLP04 − Σ PLB comes before the claims: each claim is drawn
	// from its own seed, so a first pass sums them and a second writes them.
	var total int64
	var c claim
	for i := 0; i < claims; i++ {
		g.claim(&c, s, i)
		total += c.paid
	}
	var plb int64
	if claims > 0 {
		plb = 500 + int64(g.cfg.Seed+uint64(s))%5000 // a refund the payer takes back
	}
	g.n = 0
	g.segf("ST*835*%04d", s%10000)
	g.segf("BPR*I*%s*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*20261120", x12(total-plb))
	g.segf("TRN*1*T%d*1999999999", s)
	g.seg("DTM*405*20261119")
	g.seg("N1*PR*EXAMPLE DENTAL PLAN*XV*DP0001")
	g.seg("N3*100 PAYER WAY")
	g.seg("N4*ANYTOWN*CA*90001")
	g.seg("REF*2U*DP0001")
	g.seg("N1*PE*SMILE CARE DENTAL*XX*1234567893")
	g.seg("REF*TJ*123456789")
	g.seg("LX*1")
	for i := 0; i < claims; i++ {
		g.claim(&c, s, i)
		g.writeClaim(&c)
	}
	if claims > 0 {
		g.segf("PLB*1234567893*20261231*WO:REFUND%d*%s", s, x12(plb))
		g.rec.PLBs++
	}
	g.segf("SE*%d*%04d", g.n+1, s%10000)
}

// claim draws claim i of set s. Kinds: paid with contractual and patient
// parts (most), a line denied for documentation (CO-16 + N211), a line
// over the benefit maximum (CO-119 + N411, frequency), a denied claim, and
// a reversal (CLP02 22, negated) followed by its corrected claim.
func (g *gen) claim(c *claim, s, i int) {
	rnd := rand.New(rand.NewPCG(g.cfg.Seed, uint64(s)<<32|uint64(i)))
	kind := rnd.IntN(100)
	if i > 0 && kind < 3 {
		// the corrected claim of the reversal drawn at i-1
		prev := rand.New(rand.NewPCG(g.cfg.Seed, uint64(s)<<32|uint64(i-1)))
		if prev.IntN(100) >= 97 {
			kind = 50 // ordinary paid claim, same patient control number
		}
	}
	*c = claim{pcn: fmt.Sprintf("P%d-%d", s, i), icn: fmt.Sprintf("%d%08d", s, i), status: "1", lines: c.lines[:0]}
	if i > 0 && kind == 50 {
		prev := rand.New(rand.NewPCG(g.cfg.Seed, uint64(s)<<32|uint64(i-1)))
		if prev.IntN(100) >= 97 {
			c.pcn = fmt.Sprintf("P%d-%d", s, i-1)
		}
	}
	n := 1 + rnd.IntN(4)
	denyAll := kind >= 90 && kind < 94
	for k := 0; k < n; k++ {
		l := line{proc: procedures[rnd.IntN(len(procedures))], charge: 5000 + rnd.Int64N(150000)}
		switch {
		case denyAll || (kind >= 80 && kind < 90 && k == 0):
			l.cas = append(l.cas[:0:0], cas{"CO", "16", l.charge})
			l.remark = "N211"
			c.denied += l.charge
		case kind >= 94 && kind < 97 && k == 0:
			l.cas = append(l.cas[:0:0], cas{"CO", "119", l.charge})
			l.remark = "N411"
			c.denied += l.charge
		default:
			l.allowed = l.charge * int64(60+rnd.IntN(35)) / 100
			pr := l.allowed * int64(rnd.IntN(5)*10) / 100
			l.paid = l.allowed - pr
			l.cas = append(l.cas[:0:0], cas{"CO", "45", l.charge - l.allowed})
			if pr > 0 {
				l.cas = append(l.cas, cas{"PR", "2", pr})
			}
			c.pr += pr
		}
		c.charge += l.charge
		c.paid += l.paid
		c.lines = append(c.lines, l)
	}
	if denyAll {
		c.status = "4"
	}
	if kind >= 97 {
		// a reversal: the original is not in this file; everything negated
		c.status, c.denied = "22", 0
		c.charge, c.paid, c.pr = -c.charge, -c.paid, -c.pr
		for k := range c.lines {
			l := &c.lines[k]
			l.charge, l.paid, l.allowed, l.remark = -l.charge, -l.paid, 0, ""
			for j := range l.cas {
				l.cas[j].amount = -l.cas[j].amount
			}
		}
	}
}

func (g *gen) writeClaim(c *claim) {
	r := &g.rec
	r.Claims++
	r.Lines += len(c.lines)
	r.charge += c.charge
	r.paid += c.paid
	switch c.status {
	case "1":
		r.ByStatus["paid"]++
		r.denied += c.denied
	case "4":
		r.ByStatus["denied"]++
		r.denied += c.denied
	case "22":
		r.ByStatus["reversed"]++
		r.reversed += c.paid
	}
	g.segf("CLP*%s*%s*%s*%s*%s*12*%s*11*1", c.pcn, c.status, x12(c.charge), x12(c.paid), x12(c.pr), c.icn)
	g.next++
	g.segf("NM1*QC*1*DOE%d*JANE****MI*M%09d", g.next%97, g.next)
	g.seg("NM1*82*1*SMITH*ANNA****XX*1497758544")
	g.seg("DTM*232*20261015")
	for k, l := range c.lines {
		g.segf("SVC*AD:%s*%s*%s**1", l.proc, x12(l.charge), x12(l.paid))
		g.seg("DTM*472*20261015")
		for _, a := range l.cas {
			g.segf("CAS*%s*%s*%s", a.group, a.reason, x12(a.amount))
		}
		g.segf("REF*6R*%s-%d", c.pcn, k+1)
		if l.allowed != 0 {
			g.segf("AMT*B6*%s", x12(l.allowed))
		}
		if l.remark != "" {
			g.segf("LQ*HE*%s", l.remark)
		}
	}
}

// BytesPerClaim is about how many bytes one generated claim takes.
const BytesPerClaim = 390
