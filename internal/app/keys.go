package app

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// APIKeyPrefix starts every key, so a leaked one is recognisable (secret scanners).
const APIKeyPrefix = "cb_"

// NewAPIKey returns a new random key (256 bits, base64url) and the record to
// store for it: its SHA-256 and the first characters shown in listings. The
// key itself is shown once and never stored.
func NewAPIKey(tenant, label string, now time.Time) (key string, rec APIKey, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", APIKey{}, fmt.Errorf("api key: %w", err)
	}
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return key, APIKey{
		ID:        NewID(),
		Tenant:    tenant,
		Label:     label,
		Prefix:    key[:len(APIKeyPrefix)+6],
		Hash:      HashAPIKey(key),
		CreatedAt: now,
	}, nil
}

// HashAPIKey is what is stored and looked up for a key. A plain SHA-256 is
// enough for keys with 256 random bits: no dictionary to guess from.
func HashAPIKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Fingerprint identifies a request for idempotency: SHA-256 over the method,
// the route template and the body, hex.
func Fingerprint(method, route string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%d\n", strings.ToUpper(method), route, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// NewID returns a new opaque id: a UUIDv7, so ids sort by creation (strictly
// within one process; roughly across processes).
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// EncodeCursor makes the opaque list cursor for the position after the
// claim created at t with id.
func EncodeCursor(t time.Time, id string) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(t.UnixMicro()))
	b = append(b, id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor; ErrBadCursor otherwise.
func DecodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 9 || len(b) > 8+64 {
		return time.Time{}, "", ErrBadCursor
	}
	return time.UnixMicro(int64(binary.BigEndian.Uint64(b[:8]))).UTC(), string(b[8:]), nil
}
