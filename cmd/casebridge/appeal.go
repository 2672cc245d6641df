package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// cmdAppeal is `casebridge appeal CLAIM_ID -o letter.pdf [--html letter.html]`:
// the appeal packet of a stored claim's latest denial, as POST
// /v1/claims/{id}/appeals makes it (stored, with its timeline event). The
// letter goes to the files named; the appeal (without its FHIR
// Communication) to stdout as JSON. Exit 1 when the appeal is refused
// (no denial, a finding that is not one, or documentation the denial's
// category needs missing from the record: each record field on stderr as
// a JSON pointer) or the claim is not the tenant's; 64 usage; 70 the store
// or a file failed.
func cmdAppeal(args []string, env *environ) int {
	fs := flag.NewFlagSet("appeal", flag.ContinueOnError)
	out := fs.String("o", "", "write the letter as PDF to this file")
	htmlOut := fs.String("html", "", "write the letter as HTML to this file")
	finding := fs.String("finding", "", "the finding to appeal: its index in the latest remittance's findings, or a code (CO-16); default the first denial")
	notes := fs.String("notes", "", "additional notes for the letter")
	contact := fs.String("contact", "", "the letter's contact line")
	tenant := fs.String("tenant", "local", "the tenant whose claim it is")
	so := storeFlags(fs)
	pos, code := parse(fs, args, env)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || (*out == "" && *htmlOut == "") {
		env.errorf("usage: casebridge appeal CLAIM_ID -o letter.pdf [--html letter.html] [--finding F] [--notes TEXT] [--contact C] [--tenant T] [--data DIR | --database-url URL]")
		return exitUsage
	}
	body := map[string]any{}
	if *finding != "" {
		if n, err := strconv.Atoi(*finding); err == nil {
			body["finding"] = n
		} else {
			body["finding"] = *finding
		}
	}
	if *notes != "" {
		body["additional_notes"] = *notes
	}
	if *contact != "" {
		body["contact"] = *contact
	}
	raw, _ := json.Marshal(body)
	ctx := context.Background()
	st, code := openStore(ctx, fs, so, env)
	if code >= 0 {
		return code
	}
	defer st.Close()
	svc := app.New(st, nil, time.Now, app.Options{})
	res, err := svc.CreateAppeal(ctx, *tenant, pos[0], raw, app.AppealOptions{})
	var ar *app.AppealRefused
	var de *app.DecodeError
	switch {
	case errors.As(err, &ar):
		env.errorf("appeal refused: %s", ar.Detail)
		for _, p := range ar.Problems {
			fmt.Fprintf(env.stderr, "  %s %s: %s\n", p.Code, p.Pointer, p.Message)
		}
		return exitInvalid
	case errors.As(err, &de):
		for _, p := range de.Problems {
			env.errorf("%s %s: %s", p.Code, p.Pointer, p.Message)
		}
		return exitUsage
	case errors.Is(err, app.ErrInvalid):
		env.errorf("appeal: --tenant is not a tenant name")
		return exitUsage
	case errors.Is(err, app.ErrNotFound):
		env.errorf("no such claim for tenant %s", *tenant)
		return exitInvalid
	case err != nil:
		env.errorf("store: %v", err)
		return exitInternal
	}
	for _, f := range []struct{ path, file string }{{*out, ".pdf"}, {*htmlOut, ".html"}} {
		if f.path == "" {
			continue
		}
		b, _, err := svc.AppealDocument(ctx, *tenant, res.ClaimID, strconv.Itoa(res.Appeal)+f.file)
		if err == nil {
			err = writeWhole(f.path, b)
		}
		if err != nil {
			env.errorf("appeal %d stored, but its letter was not written: %v", res.Appeal, err)
			return exitInternal
		}
	}
	res.FHIR = nil
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return exitInternal
	}
	return exitOK
}

// writeWhole writes b to path through a temporary file in the same
// directory and a rename: the file is whole or absent, never half written.
func writeWhole(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".casebridge-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600) // the letter holds PHI
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
