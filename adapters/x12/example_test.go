package x12_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
)

func ExampleWriter() {
	w := x12.NewWriter(os.Stdout, x12.WriteOptions{NewlineAfterSegment: true})
	date := time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC)
	w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier: "ZZ", SenderID: "CASEBRIDGE",
		ReceiverQualifier: "ZZ", ReceiverID: "PAYER",
		Date: date, ControlNumber: 1, Usage: 'T',
	})
	w.BeginGroup(x12.GroupHeader{FunctionalID: "HC", SenderCode: "CASEBRIDGE", ReceiverCode: "PAYER", Date: date, ControlNumber: 1, Version: "005010X224A2"})
	w.BeginTransaction("837", "0001", "005010X224A2")
	w.WriteSegment("SV3", x12.C("AD", "D9997"), x12.E("120"), x12.E(""), x12.E(""), x12.E(""), x12.E("1"))
	w.EndTransaction()
	w.EndGroup()
	if err := w.EndInterchange(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ISA*00*          *00*          *ZZ*CASEBRIDGE     *ZZ*PAYER          *240305*1407*^*00501*000000001*0*T*:~
	// GS*HC*CASEBRIDGE*PAYER*20240305*1407*1*X*005010X224A2~
	// ST*837*0001*005010X224A2~
	// SV3*AD:D9997*120****1~
	// SE*3*0001~
	// GE*1*1~
	// IEA*1*000000001~
}

func ExampleReader() {
	in := "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240305*1407*^*00501*000000001*0*T*>~\n" +
		"GS*HP*S*R*20240305*1407*1*X*005010X221A1~\n" +
		"ST*835*0001~\n" +
		"SVC*AD>D9997*120*0~\n" +
		"SE*2*0001~\n" +
		"GE*1*1~\n" +
		"IEA*1*000000001~\n"
	r := x12.NewReader(strings.NewReader(in), x12.ReaderOptions{})
	c := x12.NewEnvelopeChecker()
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		var xe *x12.Error
		if errors.As(err, &xe) {
			fmt.Println(xe.Code, xe.Segment)
			return
		}
		if s.ID == "SVC" {
			fmt.Println("procedure", s.Component(1, 2), "paid", s.Element(3))
		}
		for _, issue := range c.Add(s) {
			fmt.Println(issue.Code, "at segment", issue.Segment, "element", issue.Element)
		}
	}
	c.Finish()
	// Output:
	// procedure D9997 paid 0
	// SE01_COUNT at segment 5 element 1
}
