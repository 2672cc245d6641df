package remit

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

// TestCountedTable against a map: puts (some replacing), takes (some
// twice, some of absent keys), across several growths.
func TestCountedTable(t *testing.T) {
	var ct countedTable
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
	for k := range ref {
		var pcn, icn string
		for j := range k {
			if k[j] == 0 {
				pcn, icn = k[:j], k[j+1:]
			}
		}
		if _, ok := ct.take(pcn, icn); !ok {
			t.Fatalf("%q lost", k)
		}
	}
}
