package profile_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/profile"
)

func TestDefaultIsTestUsage(t *testing.T) {
	p := profile.Default()
	if p.Interchange.Usage != "T" {
		t.Fatalf("built-in profile usage %s, want T", p.Interchange.Usage)
	}
	if p.Claim.ProviderSignature != "Y" || p.Claim.Assignment != "A" || p.Subscriber.PayerResponsibility != "P" || p.Subscriber.ClaimFilingIndicator != "CI" {
		t.Errorf("defaults %+v", p)
	}
}

func TestLoadByNameAndFile(t *testing.T) {
	dir := t.TempDir()
	yaml := "name: acme\ninterchange:\n  sender_id: SUNRISE\n  receiver_id: ACMECH\n  usage: P\ngroup:\n  sender_code: SUNRISE\n  receiver_code: ACMECH\nsubmitter:\n  name: Sunrise\n  id: SUN01\n  phone: \"5555550100\"\nreceiver:\n  name: Acme Clearinghouse\n  id: ACME\nattachment_delivery: \"275\"\n"
	if err := os.WriteFile(filepath.Join(dir, "acme.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load("acme", dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Interchange.Usage != "P" || p.Interchange.SenderQualifier != "ZZ" || p.Claim.ReleaseOfInfo != "Y" || p.AttachmentDelivery != "275" {
		t.Errorf("profile %+v", p)
	}
	if _, err := profile.Load(filepath.Join(dir, "acme.yaml"), ""); err != nil {
		t.Errorf("by path: %v", err)
	}
}

func TestRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := map[string]string{
		"unknown.json": `{"interchange":{"sender_id":"A","receiver_id":"B","usage":"T"},"group":{"sender_code":"AA","receiver_code":"BB"},"submitter":{"name":"n","id":"ii","phone":"5555550100"},"receiver":{"name":"n","id":"ii"},"colour":"red"}`,
		"usage.json":   `{"interchange":{"sender_id":"A","receiver_id":"B","usage":"X"},"group":{"sender_code":"AA","receiver_code":"BB"},"submitter":{"name":"n","id":"ii","phone":"5555550100"},"receiver":{"name":"n","id":"ii"}}`,
		"long.json":    `{"interchange":{"sender_id":"ABCDEFGHIJKLMNOP","receiver_id":"B","usage":"T"},"group":{"sender_code":"AA","receiver_code":"BB"},"submitter":{"name":"n","id":"ii","phone":"5555550100"},"receiver":{"name":"n","id":"ii"}}`,
		"empty.json":   `{}`,
		"nophone.json": `{"interchange":{"sender_id":"A","receiver_id":"B","usage":"T"},"group":{"sender_code":"AA","receiver_code":"BB"},"submitter":{"name":"n","id":"ii"},"receiver":{"name":"n","id":"ii"}}`,
		"broken.yaml":  "interchange: [",
	}
	fields := map[string]string{"usage.json": "interchange.usage", "long.json": "interchange.sender_id", "nophone.json": "submitter"}
	for name, body := range tests {
		_, err := profile.Load(write(name, body), "")
		var pe *profile.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: want *profile.Error, got %v", name, err)
			continue
		}
		if want, ok := fields[name]; ok && pe.Field != want {
			t.Errorf("%s: refused for %q, want %q", name, pe.Field, want)
		}
	}
	if _, err := profile.Load("nosuch", dir); err == nil {
		t.Error("unknown name accepted")
	}
	if _, err := profile.Load("../x", dir); err == nil {
		t.Error("path-like name accepted")
	}
}

// LoadNamed answers as Load does, reuses a parsed file while it is
// unchanged, sees a changed file, and hands out copies.
func TestLoadNamedCache(t *testing.T) {
	dir := t.TempDir()
	def, err := os.ReadFile("default.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "acme.json")
	write := func(sender string) {
		data := []byte(strings.Replace(string(def), `"sender_id": "CASEBRIDGE"`, `"sender_id": "`+sender+`"`, 1))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ACME")
	for i := 0; i < 2; i++ {
		p, err := profile.LoadNamed("acme", dir)
		want, _ := profile.Load("acme", dir)
		if err != nil || !reflect.DeepEqual(p, want) || p.Interchange.SenderID != "ACME" {
			t.Fatalf("load %d: %+v %v", i, p, err)
		}
		p.Interchange.SenderID = "CHANGED" // a copy: the next load is unaffected
	}
	write("ACMEDENTAL") // another size
	if p, err := profile.LoadNamed("acme", dir); err != nil || p.Interchange.SenderID != "ACMEDENTAL" {
		t.Fatalf("after the change: %+v %v", p, err)
	}
	for _, name := range []string{"nosuch", "../acme", ""} {
		a, errA := profile.LoadNamed(name, dir)
		b, errB := profile.Load(name, dir)
		if (errA == nil) != (errB == nil) || (a != nil && !reflect.DeepEqual(a, b)) {
			t.Errorf("%q: LoadNamed %v, Load %v", name, errA, errB)
		}
	}
}
