package mask

// Position is one place of PHI in X12 segments: element (and component) of
// a segment, selected by the segment's first element (its qualifier) and,
// for N3/N4, by the entity of the NM1 that opened the loop. The table is
// generic: it applies to any transaction set (837D, 835, 277CA, 999), since
// these qualifiers mean the same in all of them (X12 data element
// dictionary: 98 Entity Identifier Code, 128 Reference Identification
// Qualifier, 374 Date/Time Qualifier).
type Position struct {
	Segment    string
	Qualifiers []string // values of element 1 that select the row; nil: any
	Persons    bool     // only in the loop of a person entity (PersonEntities)
	Element    int
	Component  int // 0: the whole element
	Kind       Kind
}

// PersonEntities are the NM101 codes naming the individual whose data is
// protected: IL insured/subscriber (837D 2010BA, 2330A; 835 2100; 277CA
// 2100D), QC patient (837D 2010CA; 835 2100; 277CA 2100E), 74 corrected
// insured (835 2100). Providers (85, 82, 77, DN, DQ, DD, 87), payers (PR),
// submitters (41) and receivers (40) are not the individual (45 CFR
// 164.514(b)(2)(i) lists identifiers "of the individual or of relatives,
// employers, or household members of the individual").
var PersonEntities = []string{"IL", "QC", "74"}

// Table is every position masked. Citations: 45 CFR 164.514(b)(2)(i)
// letters (A)-(R); X12 005010X224A2 (837D), X221A1 (835), X214 (277CA),
// X231A1 (999) segment definitions.
var Table = []Position{
	// (A) names, (I) member ids, (G) SSN as NM109 (MI, 34, II qualifiers)
	{Segment: "NM1", Qualifiers: PersonEntities, Element: 3, Kind: Name},
	{Segment: "NM1", Qualifiers: PersonEntities, Element: 4, Kind: Name},
	{Segment: "NM1", Qualifiers: PersonEntities, Element: 5, Kind: Name},
	{Segment: "NM1", Qualifiers: PersonEntities, Element: 9, Kind: ID},
	// (B) street, city, ZIP of the person's loop; N402 state stays
	{Segment: "N3", Persons: true, Element: 1, Kind: Street},
	{Segment: "N3", Persons: true, Element: 2, Kind: Street},
	{Segment: "N4", Persons: true, Element: 1, Kind: City},
	{Segment: "N4", Persons: true, Element: 3, Kind: ZIP},
	// (C) birth date (DMG02), date of death (PAT06)
	{Segment: "DMG", Element: 2, Kind: BirthDate},
	{Segment: "PAT", Element: 6, Kind: BirthDate},
	// (C) dates of service and of the claim's statement period: 472 service,
	// 150/151 service period start/end, 232/233 claim statement period,
	// 434 statement, 435 admission, 096 discharge
	{Segment: "DTP", Qualifiers: []string{"472", "150", "151", "232", "233", "434", "435", "096"}, Element: 3, Kind: ServiceDate},
	{Segment: "DTM", Qualifiers: []string{"472", "150", "151", "232", "233", "434", "435", "096"}, Element: 2, Kind: ServiceDate},
	// (G) SSN, (I) member/policy ids, medical record (EA), (J) patient
	// account (EJ), (R) claim and line numbers, authorisations and referrals
	{Segment: "REF", Qualifiers: []string{"SY", "1W", "IG", "23", "EA", "EJ", "Y4", "6R", "F8", "G1", "G3", "9F", "1K", "D9", "28"}, Element: 2, Kind: ID},
	// (J) patient control number: 837D CLM01 (and BHT03, which casebridge
	// sets to it), 835 CLP01, 277CA TRN02 of TRN*2; (R) payer claim control
	// number CLP07
	{Segment: "CLM", Element: 1, Kind: ID},
	{Segment: "BHT", Element: 3, Kind: ID},
	{Segment: "CLP", Element: 1, Kind: ID},
	{Segment: "CLP", Element: 7, Kind: ID},
	{Segment: "TRN", Qualifiers: []string{"2"}, Element: 2, Kind: ID},
	// (R) 835 PLB adjustment identifiers (PLB03-2 … PLB13-2): for L6, WO,
	// FB and the like the payer claim number of the claim concerned (X221A1
	// PLB03-2 "Provider Adjustment Identifier")
	{Segment: "PLB", Element: 3, Component: 2, Kind: ID},
	{Segment: "PLB", Element: 5, Component: 2, Kind: ID},
	{Segment: "PLB", Element: 7, Component: 2, Kind: ID},
	{Segment: "PLB", Element: 9, Component: 2, Kind: ID},
	{Segment: "PLB", Element: 11, Component: 2, Kind: ID},
	{Segment: "PLB", Element: 13, Component: 2, Kind: ID},
	// (R) attachment control number
	{Segment: "PWK", Element: 6, Kind: ID},
	// free text that may hold any identifier: claim and line notes, 837D
	// K3, 277CA STC12 message, 999 IK404 copy of the bad data element and
	// CTX01-2 (the context's value, e.g. a CLM01)
	{Segment: "NTE", Element: 2, Kind: Text},
	{Segment: "K3", Element: 1, Kind: Text},
	{Segment: "STC", Element: 12, Kind: Text},
	{Segment: "IK4", Element: 4, Kind: Text},
	{Segment: "CTX", Element: 1, Component: 2, Kind: ID},
}

// bySegment indexes Table.
var bySegment = func() map[string][]Position {
	m := map[string][]Position{}
	for _, p := range Table {
		m[p.Segment] = append(m[p.Segment], p)
	}
	return m
}()

func isPerson(entity string) bool {
	for _, e := range PersonEntities {
		if e == entity {
			return true
		}
	}
	return false
}

func selects(p Position, qualifier string) bool {
	if p.Qualifiers == nil {
		return true
	}
	for _, q := range p.Qualifiers {
		if q == qualifier {
			return true
		}
	}
	return false
}
