package snip

import "testing"

// Every table parses, and every loop's parent chain reaches its root.
func TestRulesParse(t *testing.T) {
	tb, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	if tb.Envelope["ISA"] == nil || len(tb.Envelope["ISA"].Elements) != 16 {
		t.Fatalf("envelope ISA table: want 16 elements")
	}
	for _, s := range tb.Sets {
		for id, l := range s.Loops {
			for p := l; p.Parent != nil; p = p.Parent {
				if p.Parent == l {
					t.Fatalf("%s loop %s: cycle", s.Implementation, id)
				}
			}
		}
	}
	if got := tb.Meaning("620", "5"); got != "Segment Exceeds Maximum Use" {
		t.Errorf("meaning 620/5 = %q", got)
	}
}

// Every code a table allows for the elements describe prints most has a
// meaning in codes.txt.
func TestMeaningsCoverTables(t *testing.T) {
	tb, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	need := map[string]bool{"1325": true, "1029": true, "1033": true, "755": true, "756": true, "735": true, "1069": true, "1032": true, "1361": true, "620": true, "621": true}
	var walk func(es []ElementDef)
	missing := map[string]bool{}
	walk = func(es []ElementDef) {
		for _, e := range es {
			walk(e.Components)
			if !need[e.Ref] {
				continue
			}
			for _, c := range e.Codes {
				if tb.Meaning(e.Ref, c) == "" {
					missing[e.Ref+"/"+c] = true
				}
			}
		}
	}
	for _, s := range tb.Sets {
		for _, l := range s.Loops {
			for _, en := range l.Entries {
				if en.Seg != nil {
					walk(en.Seg.Elements)
				}
			}
		}
	}
	for k := range missing {
		t.Errorf("no meaning for %s", k)
	}
}
