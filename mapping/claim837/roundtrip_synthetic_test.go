package claim837_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// syntheticRecords cover every field the 837D carries, beyond the samples
// in testdata/records: an individual billing dentist under an SSN, a
// spouse with an address, a service facility without NPI, a void with its
// payer claim number, four diagnoses, a narrative over several NTE, an AA
// attachment (no PWK06), lines with units and without a line id, and the
// submitter/receiver given by the record.
var syntheticRecords = map[string]string{
	"individual-spouse-void": `{"record_id":"SYN-1","frequency":"void","payer_claim_number":"PCN123",
	 "submitter":{"name":"Syn Billing","id":"SYN01","contact_name":"Desk","phone":"5555550199","email":"a@b.example"},
	 "receiver":{"name":"Syn Receiver","id":"RCV01"},
	 "billing_provider":{"first_name":"Ruth","last_name":"Okafor","npi":"1234567893","tax_id":"987654321","tax_id_type":"ssn","taxonomy":"1223G0001X",
	   "address":{"line1":"7 Oak St","line2":"Unit 3","city":"Boulder","state":"CO","postal_code":"803021234"}},
	 "service_facility":{"name":"Willow School","address":{"line1":"5 School Rd","city":"Aurora","state":"CO","postal_code":"800101234"}},
	 "payer":{"name":"Acme Dental","id":"ACME1"},
	 "subscriber":{"member_id":"MEM77","group_number":"G77","first_name":"Carl","last_name":"Lind","address":{"line1":"1 A St","city":"Denver","state":"CO","postal_code":"80202"}},
	 "patient":{"first_name":"Ana","last_name":"Lind","birth_date":"1985-03-04","gender":"F","relationship":"spouse","address":{"line1":"1 A St","city":"Denver","state":"CO","postal_code":"80202"}},
	 "place_of_service":"03","prior_authorization":"PA9",
	 "diagnoses":["F84.0","Z74.09","G80.0","Q90.9"],
	 "narrative":"` + longNarrative + `",
	 "services":[{"date":"2026-10-01","code":"D9997","charge":"120.50","units":1},{"date":"2026-10-02","code":"D9992","charge":"40","units":3}],
	 "attachments":[{"id":"ATT-1","report_type":"B4","transmission":"BM"},{"report_type":"OZ","transmission":"AA"}]}`,
	"organization-rendering-other": `{"record_id":"SYN-2","frequency":"replacement","payer_claim_number":"PCN9",
	 "billing_provider":{"name":"Bright Smiles","npi":"1234567893","tax_id":"123456789","taxonomy":"1223G0001X",
	   "address":{"line1":"100 Main St","city":"Denver","state":"CO","postal_code":"802021234"}},
	 "rendering_provider":{"first_name":"Anna","last_name":"Smith","npi":"1987654328","taxonomy":"124Q00000X"},
	 "payer":{"name":"Beta","id":"B1"},
	 "subscriber":{"member_id":"M1","first_name":"Tom","last_name":"Baker","birth_date":"1970-01-01","gender":"U"},
	 "patient":{"first_name":"Kid","last_name":"Baker","birth_date":"2019-12-31","gender":"M","relationship":"other"},
	 "services":[{"line_id":"L-1","date":"2026-10-03","charge":"60"}]}`,
}

const longNarrative = "Case management for a patient with autism spectrum disorder: sensory-adapted visit, caregiver briefing, " +
	"two staff for stabilisation, coordinated transport and a follow-up call; documented in the attached report with the " +
	"schedule of the desensitisation visits and the physician's letter on the medication plan for the procedure day."

func TestRoundTripSynthetic(t *testing.T) {
	prof := profile.Default()
	for name, js := range syntheticRecords {
		t.Run(name, func(t *testing.T) {
			rec, probs, err := record.DecodeBytes([]byte(js))
			if err != nil || probs.HasErrors() {
				t.Fatalf("synthetic record: %v %v", err, probs)
			}
			out, err := claim837.Write(rec, prof, claim837.Options{ControlNumber: 7, At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			var got []*record.Record
			if err := claim837.Read(bytes.NewReader(out), func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
				t.Fatalf("read back: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("%d claims read back, want 1", len(got))
			}
			g, _ := jsonOf(got[0])
			w, _ := jsonOf(x12View(rec, prof))
			if !bytes.Equal(g, w) {
				t.Errorf("round trip differs:\n got %s\nwant %s", g, w)
			}
		})
	}
}
