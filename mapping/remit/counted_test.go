package remit

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

// TestCountedTable against a map: puts (some replacing), takes (some
// twice, some of absent keys), across several growths, all in memory and
// with most records spilled to the temporary file in runs of 300 and
// 4096 (a whole block) records, so that replaced and taken records sit in
// older runs than their key's newest put.
func TestCountedTable(t *testing.T) {
	for _, spillAt := range []int{0, 300, 4096} {
		t.Run(fmt.Sprint("spillAt=", spillAt), func(t *testing.T) { testCountedTable(t, spillAt) })
	}
}

func testCountedTable(t *testing.T, spillAt int) {
	ct := countedTable{spillAt: spillAt}
	defer ct.close()
	ref := map[string]claimTotals{}
	tot := func(i int) claimTotals {
		switch i % 4 {
		case 1: // packed: one category
			return claimTotals{denied: []categoryAmount{{codes.Categories[i%len(codes.Categories)], money.MustParse("-" + strconv.Itoa(i) + ".5")}}}
		case 2: // packed: pended, forwarded
			return claimTotals{pended: money.MustParse(strconv.Itoa(i) + ".125")}
		case 3:
			return claimTotals{forwarded: money.MustParse(strconv.Itoa(i))}
		}
		return claimTotals{
			denied:    []categoryAmount{{codes.Documentation, money.MustParse(strconv.Itoa(i) + ".50")}, {codes.Frequency, money.MustParse("1.250")}},
			pended:    money.MustParse(strconv.Itoa(i % 7)),
			forwarded: money.MustParse("0.10"),
		}
	}
	for i := 0; i < 20000; i++ {
		pcn, icn := "P"+strconv.Itoa(i%5000), "I"+strconv.Itoa(i%3000)
		switch i % 5 {
		case 0, 1, 2:
			ct.put(pcn, icn, tot(i))
			ref[pcn+"\x00"+icn] = tot(i)
		default:
			got, ok := ct.take(pcn, icn)
			want, wok := ref[pcn+"\x00"+icn]
			delete(ref, pcn+"\x00"+icn)
			if ok != wok {
				t.Fatalf("%d: take %v, want %v", i, ok, wok)
			}
			if ok && fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%d: took %+v, want %+v", i, got, want)
			}
		}
	}
	if spillAt > 0 && (ct.spill == nil || len(ct.spill.runs) < 12000/spillAt/2) {
		t.Fatalf("spillAt %d: %v runs", spillAt, ct.spill)
	}
	if spillAt == 0 && ct.spill != nil {
		t.Fatal("spilled below countedSpillAt")
	}
	if ct.err != nil {
		t.Fatal(ct.err)
	}
	for k := range ref {
		var pcn, icn string
		for j := range k {
			if k[j] == 0 {
				pcn, icn = k[:j], k[j+1:]
			}
		}
		got, ok := ct.take(pcn, icn)
		if !ok {
			t.Fatalf("%q lost", k)
		}
		if fmt.Sprint(got) != fmt.Sprint(ref[k]) {
			t.Fatalf("%q: took %+v, want %+v", k, got, ref[k])
		}
		if _, ok := ct.take(pcn, icn); ok {
			t.Fatalf("%q taken twice", k)
		}
	}
	if ct.err != nil {
		t.Fatal(ct.err)
	}
}

// TestTotalsEncoding: totals kept whole go to the temporary file and come
// back with the places of each amount and categories outside the list.
func TestTotalsEncoding(t *testing.T) {
	for _, tt := range []claimTotals{
		{pended: money.Zero, forwarded: money.Zero},
		{denied: []categoryAmount{{codes.Documentation, money.MustParse("1.500")}, {"not-a-category", money.MustParse("-2")}},
			pended: money.MustParse("0.00"), forwarded: money.MustParse("12345678901234567890123.45")},
	} {
		got, ok := parseTotals(appendTotals(nil, tt))
		if !ok || totalsText(got) != totalsText(tt) {
			t.Errorf("%+v came back as %+v (%v)", tt, got, ok)
		}
	}
	if _, ok := parseTotals([]byte{5, 1}); ok {
		t.Error("a short blob parsed")
	}
}

// totalsText shows every amount with its places.
func totalsText(t claimTotals) string {
	s := ""
	for _, d := range t.denied {
		s += string(d.cat) + "=" + d.amt.Decimal().StringFixed(-min(d.amt.Decimal().Exponent(), 0)) + " "
	}
	return s + t.pended.Decimal().StringFixed(-min(t.pended.Decimal().Exponent(), 0)) + " " + t.forwarded.String()
}
