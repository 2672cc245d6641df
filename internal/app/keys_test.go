package app

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewAPIKey(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	k1, r1, err := NewAPIKey("t1", "desk", now)
	if err != nil {
		t.Fatal(err)
	}
	k2, r2, _ := NewAPIKey("t1", "desk", now)
	if k1 == k2 || r1.ID == r2.ID || bytes.Equal(r1.Hash, r2.Hash) {
		t.Fatal("two keys alike")
	}
	if !strings.HasPrefix(k1, APIKeyPrefix) || len(k1) != len(APIKeyPrefix)+43 {
		t.Fatalf("key %q", k1)
	}
	if !strings.HasPrefix(k1, r1.Prefix) || len(r1.Prefix) >= len(k1)/2 {
		t.Fatalf("prefix %q of %q", r1.Prefix, k1)
	}
	if !bytes.Equal(r1.Hash, HashAPIKey(k1)) || len(r1.Hash) != 32 {
		t.Fatal("hash")
	}
	if r1.Tenant != "t1" || r1.Label != "desk" || !r1.CreatedAt.Equal(now) || r1.RevokedAt != nil {
		t.Fatalf("record %+v", r1)
	}
}

func TestFingerprint(t *testing.T) {
	a := Fingerprint("post", "/v1/claims", []byte("{}"))
	if a != Fingerprint("POST", "/v1/claims", []byte("{}")) {
		t.Fatal("method case matters")
	}
	for _, b := range []string{
		Fingerprint("PUT", "/v1/claims", []byte("{}")),
		Fingerprint("POST", "/v1/claims/837d", []byte("{}")),
		Fingerprint("POST", "/v1/claims", []byte("{ }")),
		Fingerprint("POST", "/v1/claims\n2", []byte("{}")[:0]),
	} {
		if a == b {
			t.Fatal("different requests, one fingerprint")
		}
	}
}

func TestCursor(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC)
	id := NewID()
	gotAt, gotID, err := DecodeCursor(EncodeCursor(at, id))
	if err != nil || !gotAt.Equal(at) || gotID != id {
		t.Fatalf("round trip: %v %q %v", gotAt, gotID, err)
	}
	for _, bad := range []string{"", "!!", "AAAA", EncodeCursor(at, "")} {
		if _, _, err := DecodeCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("DecodeCursor(%q): %v", bad, err)
		}
	}
}

func TestNewIDSorts(t *testing.T) {
	// UUIDv7 from one process increase strictly, even within a millisecond.
	prev := NewID()
	for range 1000 {
		id := NewID()
		if id <= prev || len(id) != 36 {
			t.Fatalf("%s then %s", prev, id)
		}
		prev = id
	}
}

func TestStatus(t *testing.T) {
	for _, s := range []ClaimStatus{StatusRejected, StatusSubmitted, StatusPaid, StatusPartiallyPaid, StatusDenied, StatusReversed, StatusPended} {
		if !s.Valid() {
			t.Errorf("%s invalid", s)
		}
	}
	if ClaimStatus("sent").Valid() || ClaimStatus("").Valid() {
		t.Error("unknown status valid")
	}
	if IdemNew.String() != "new" || IdempotencyOutcome(0).String() != "unknown" {
		t.Error("outcome names")
	}
}
