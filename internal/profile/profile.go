// Package profile holds trading-partner profiles: the envelope and routing
// values an 837D needs that a case record does not carry (ISA sender and
// receiver, usage indicator, GS codes, submitter/receiver defaults, CLM06–09,
// SBR01/SBR09, how attachments are delivered). Every path that produces an
// 837D — record, FHIR — uses the same profile, so the same claim always gives
// the same X12.
package profile

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
)

// Profile is one trading partner's settings.
type Profile struct {
	Name        string      `json:"name" yaml:"name"`
	Interchange Interchange `json:"interchange" yaml:"interchange"`
	Group       Group       `json:"group" yaml:"group"`
	Submitter   Submitter   `json:"submitter" yaml:"submitter"`
	Receiver    Receiver    `json:"receiver" yaml:"receiver"`
	Claim       Claim       `json:"claim" yaml:"claim"`
	Subscriber  Subscriber  `json:"subscriber" yaml:"subscriber"`
	// AttachmentDelivery says how attachments sent electronically (PWK02=EL)
	// reach the payer: "275", "portal", "clearinghouse" — empty when none is
	// set up, which the scrubber warns about.
	AttachmentDelivery string `json:"attachment_delivery,omitempty" yaml:"attachment_delivery,omitempty"`
	// Payers are per-payer terms (appeal and filing windows, D9997 frequency
	// limit) and Analytics the analytics settings: see payers.go.
	Payers    []Payer   `json:"payers,omitempty" yaml:"payers,omitempty"`
	Analytics Analytics `json:"analytics,omitzero" yaml:"analytics,omitempty"`
}

// Interchange holds ISA values.
type Interchange struct {
	SenderQualifier   string `json:"sender_qualifier" yaml:"sender_qualifier"`
	SenderID          string `json:"sender_id" yaml:"sender_id"`
	ReceiverQualifier string `json:"receiver_qualifier" yaml:"receiver_qualifier"`
	ReceiverID        string `json:"receiver_id" yaml:"receiver_id"`
	AckRequested      bool   `json:"ack_requested" yaml:"ack_requested"`
	Usage             string `json:"usage" yaml:"usage"`
}

// Group holds GS values.
type Group struct {
	SenderCode   string `json:"sender_code" yaml:"sender_code"`
	ReceiverCode string `json:"receiver_code" yaml:"receiver_code"`
}

// Submitter is the 1000A default.
type Submitter struct {
	Name        string `json:"name" yaml:"name"`
	ID          string `json:"id" yaml:"id"`
	ContactName string `json:"contact_name,omitempty" yaml:"contact_name,omitempty"`
	Phone       string `json:"phone,omitempty" yaml:"phone,omitempty"`
	Email       string `json:"email,omitempty" yaml:"email,omitempty"`
}

// Receiver is the 1000B default.
type Receiver struct {
	Name string `json:"name" yaml:"name"`
	ID   string `json:"id" yaml:"id"`
}

// Claim holds CLM06–CLM09.
type Claim struct {
	ProviderSignature  string `json:"provider_signature" yaml:"provider_signature"`         // CLM06 Y/N
	Assignment         string `json:"assignment" yaml:"assignment"`                         // CLM07 A/C
	BenefitsAssignment string `json:"benefits_assignment" yaml:"benefits_assignment"`       // CLM08 Y/N/W
	ReleaseOfInfo      string `json:"release_of_information" yaml:"release_of_information"` // CLM09 Y/I
}

// Subscriber holds SBR01 and SBR09.
type Subscriber struct {
	PayerResponsibility  string `json:"payer_responsibility" yaml:"payer_responsibility"`     // SBR01
	ClaimFilingIndicator string `json:"claim_filing_indicator" yaml:"claim_filing_indicator"` // SBR09
}

//go:embed default.json
var defaultJSON []byte

// defaultProfile is the built-in profile, parsed once.
var defaultProfile = sync.OnceValue(func() Profile {
	p, err := Parse(defaultJSON, "default.json")
	if err != nil {
		panic("profile: built-in default is invalid: " + err.Error())
	}
	return *p
})

// Default returns (a copy of) the built-in profile for trying things out.
// Its usage indicator is T: test data never passes for production by
// accident.
func Default() *Profile {
	p := defaultProfile()
	return &p
}

// Error is a profile that cannot be used.
type Error struct {
	Source string
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("profile %s: %s", e.Source, e.Msg)
	}
	return fmt.Sprintf("profile %s: %s: %s", e.Source, e.Field, e.Msg)
}

// Parse reads a JSON or YAML profile (YAML when the name ends in .yaml or
// .yml) over the built-in defaults, and validates it. Unknown fields are
// errors.
func Parse(data []byte, name string) (*Profile, error) {
	p := baseline()
	var err error
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".yaml" || ext == ".yml" {
		err = yaml.UnmarshalWithOptions(data, p, yaml.DisallowUnknownField())
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(p)
	}
	if err != nil {
		return nil, &Error{Source: name, Msg: "cannot be parsed: " + firstLine(err.Error())}
	}
	if err := p.Validate(); err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.Source = name
		}
		return nil, err
	}
	return p, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// baseline is what a profile file does not have to say.
func baseline() *Profile {
	return &Profile{
		Interchange: Interchange{SenderQualifier: "ZZ", ReceiverQualifier: "ZZ", Usage: "T"},
		Claim:       Claim{ProviderSignature: "Y", Assignment: "A", BenefitsAssignment: "Y", ReleaseOfInfo: "Y"},
		Subscriber:  Subscriber{PayerResponsibility: "P", ClaimFilingIndicator: "CI"},
	}
}

var (
	reQual = regexp.MustCompile(`^(01|14|20|27|28|29|30|33|ZZ)$`)
	reISA  = regexp.MustCompile(`^[A-Za-z0-9 ._-]{1,15}$`)
	reGS   = regexp.MustCompile(`^[A-Za-z0-9 ._-]{2,15}$`)
	reSBR9 = regexp.MustCompile(`^[0-9A-Z]{1,2}$`)
	reName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// Validate checks every value against its X12 element.
func (p *Profile) Validate() error {
	bad := func(field, msg string) error { return &Error{Source: p.Name, Field: field, Msg: msg} }
	switch {
	case !reQual.MatchString(p.Interchange.SenderQualifier):
		return bad("interchange.sender_qualifier", "must be an ISA05 qualifier such as ZZ or 30")
	case !reISA.MatchString(p.Interchange.SenderID):
		return bad("interchange.sender_id", "must be 1-15 letters, digits or spaces")
	case !reQual.MatchString(p.Interchange.ReceiverQualifier):
		return bad("interchange.receiver_qualifier", "must be an ISA07 qualifier such as ZZ or 30")
	case !reISA.MatchString(p.Interchange.ReceiverID):
		return bad("interchange.receiver_id", "must be 1-15 letters, digits or spaces")
	case p.Interchange.Usage != "T" && p.Interchange.Usage != "P":
		return bad("interchange.usage", "must be T (test) or P (production)")
	case !reGS.MatchString(p.Group.SenderCode):
		return bad("group.sender_code", "must be 2-15 letters or digits")
	case !reGS.MatchString(p.Group.ReceiverCode):
		return bad("group.receiver_code", "must be 2-15 letters or digits")
	case p.Submitter.Name == "" || len(p.Submitter.ID) < 2:
		return bad("submitter", "needs a name and an id of at least 2 characters")
	case p.Submitter.Phone == "" && p.Submitter.Email == "":
		return bad("submitter", "needs a phone or an email for PER*IC")
	case p.Receiver.Name == "" || len(p.Receiver.ID) < 2:
		return bad("receiver", "needs a name and an id of at least 2 characters")
	case !slices.Contains([]string{"Y", "N"}, p.Claim.ProviderSignature):
		return bad("claim.provider_signature", "must be Y or N")
	case !slices.Contains([]string{"A", "C"}, p.Claim.Assignment):
		return bad("claim.assignment", "must be A or C")
	case !slices.Contains([]string{"Y", "N", "W"}, p.Claim.BenefitsAssignment):
		return bad("claim.benefits_assignment", "must be Y, N or W")
	case !slices.Contains([]string{"Y", "I"}, p.Claim.ReleaseOfInfo):
		return bad("claim.release_of_information", "must be Y or I")
	case !slices.Contains([]string{"P", "S", "T", "A", "B", "C", "D", "E", "F", "G", "H", "U"}, p.Subscriber.PayerResponsibility):
		return bad("subscriber.payer_responsibility", "must be an SBR01 code such as P")
	case !reSBR9.MatchString(p.Subscriber.ClaimFilingIndicator):
		return bad("subscriber.claim_filing_indicator", "must be an SBR09 code such as CI")
	}
	return p.validatePayers()
}

// Load finds a profile by name or path. An empty name or "default" is the
// built-in profile. A value containing a path separator or ending in .json,
// .yaml or .yml is a file; any other name is looked up as NAME.json,
// NAME.yaml or NAME.yml in dir (the profiles directory).
func Load(nameOrPath, dir string) (*Profile, error) {
	if nameOrPath == "" || nameOrPath == "default" {
		return Default(), nil
	}
	ext := strings.ToLower(filepath.Ext(nameOrPath))
	if strings.ContainsRune(nameOrPath, os.PathSeparator) || ext == ".json" || ext == ".yaml" || ext == ".yml" {
		return loadFile(nameOrPath)
	}
	if !reName.MatchString(nameOrPath) {
		return nil, &Error{Source: nameOrPath, Msg: "a profile name is 1-64 letters, digits, '-' or '_'"}
	}
	if dir == "" {
		return nil, &Error{Source: nameOrPath, Msg: "unknown profile (no profiles directory configured)"}
	}
	for _, e := range []string{".json", ".yaml", ".yml"} {
		path := filepath.Join(dir, nameOrPath+e)
		if _, err := os.Stat(path); err == nil {
			return loadFile(path)
		}
	}
	return nil, &Error{Source: nameOrPath, Msg: "unknown profile"}
}

func loadFile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Source: filepath.Base(path), Msg: "cannot be read"}
	}
	p, err := Parse(data, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return p, nil
}

// namedCache holds the parsed profile files LoadNamed read: path →
// *cachedProfile.
var namedCache sync.Map

type cachedProfile struct {
	mod  time.Time
	size int64
	p    Profile
}

// LoadNamed is Load for a name (the gateway's ?profile=): the same lookup,
// the same answers, but a file already parsed is reused while its size and
// modification time stay the same, so a request costs one stat instead of a
// read and a parse. Each call returns its own copy. Paths, "" and "default"
// go to Load.
func LoadNamed(name, dir string) (*Profile, error) {
	if name == "" || name == "default" || dir == "" || !reName.MatchString(name) {
		return Load(name, dir)
	}
	for _, e := range []string{".json", ".yaml", ".yml"} {
		path := filepath.Join(dir, name+e)
		fi, err := os.Stat(path)
		if err != nil {
			continue
		}
		if v, ok := namedCache.Load(path); ok {
			if c := v.(*cachedProfile); c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
				p := c.p
				p.Payers = slices.Clone(p.Payers) // each call its own copy, payers too
				return &p, nil
			}
		}
		p, err := loadFile(path)
		if err != nil {
			namedCache.Delete(path)
			return nil, err
		}
		namedCache.Store(path, &cachedProfile{mod: fi.ModTime(), size: fi.Size(), p: *p})
		return p, nil
	}
	return nil, &Error{Source: name, Msg: "unknown profile"}
}
