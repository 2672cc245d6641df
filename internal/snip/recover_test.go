package snip

import "testing"

func TestRecoverInterchange(t *testing.T) {
	const good = "ISA*00*          *00*          *ZZ*SENDER        *ZZ*RECEIVER       *261127*1000*^*00501*000001003*0*T*:~GS*HC~"
	for _, tc := range []struct {
		name, in string
		ok       bool
		want     Interchange
	}{
		{"ISA06 one space short", good, true, Interchange{ControlNumber: "000001003", SenderQual: "ZZ", Sender: "SENDER",
			ReceiverQual: "ZZ", Receiver: "RECEIVER", Date: "261127", Time: "1000", Usage: "T"}},
		{"BOM and a line break first", "\xef\xbb\xbf\r\n" + good, true, Interchange{ControlNumber: "000001003", SenderQual: "ZZ",
			Sender: "SENDER", ReceiverQual: "ZZ", Receiver: "RECEIVER", Date: "261127", Time: "1000", Usage: "T"}},
		{"not X12", "hello", false, Interchange{}},
		{"letter as separator", "ISAX00X", false, Interchange{}},
		{"too few elements", "ISA*00*          *00*~", false, Interchange{}},
		{"ISA13 not 9 digits", "ISA*00*          *00*          *ZZ*S *ZZ*R *261127*1000*^*00501*1003*0*T*:~", false, Interchange{}},
		{"bad date", "ISA*00*          *00*          *ZZ*S *ZZ*R *2611*1000*^*00501*000001003*0*T*:~", false, Interchange{}},
		{"bad time", "ISA*00*          *00*          *ZZ*S *ZZ*R *261127*10:0*^*00501*000001003*0*T*:~", false, Interchange{}},
	} {
		got, ok := RecoverInterchange([]byte(tc.in))
		if ok != tc.ok || got.ControlNumber != tc.want.ControlNumber || got.Sender != tc.want.Sender ||
			got.Receiver != tc.want.Receiver || got.Date != tc.want.Date || got.Time != tc.want.Time ||
			got.Usage != tc.want.Usage || got.SenderQual != tc.want.SenderQual || got.ReceiverQual != tc.want.ReceiverQual {
			t.Errorf("%s: %+v %v, want %+v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
