package remit

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report for people: per remittance a table of its
// claims, then each claim's lines and findings, the provider adjustments,
// and at the end the warnings and the summary.
func WriteTable(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	for i := range rep.Remittances {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		writeRemittance(bw, &rep.Remittances[i])
	}
	if len(rep.Remittances) > 0 {
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "Warnings: %d\n", WarningCount(rep.Warnings))
	for _, wn := range rep.Warnings {
		el := wn.Element
		if el == "" {
			el = wn.SegmentID
		}
		fmt.Fprintf(bw, "  %-22s segment %d %s: %s\n", wn.Code, wn.SegmentNumber, el, wn.Message)
	}
	s := rep.Summary
	fmt.Fprintf(bw, "\nSummary: %d claims", s.Claims)
	for _, k := range sortedKeys(s.ByStatus) {
		fmt.Fprintf(bw, ", %s %d", k, s.ByStatus[k])
	}
	fmt.Fprintf(bw, "\n  denied %s, pended %s, forwarded %s, reversed %s\n", s.DeniedAmount, s.PendedAmount, s.ForwardedAmount, s.ReversedAmount)
	cats := make([]string, 0, len(s.DeniedByCategory))
	for k := range s.DeniedByCategory {
		cats = append(cats, k)
	}
	sort.Strings(cats)
	for _, k := range cats {
		fmt.Fprintf(bw, "  %-26s %s\n", k, s.DeniedByCategory[k])
	}
	return bw.Flush()
}

func writeRemittance(w *bufio.Writer, r *Remittance) {
	bal := "balanced"
	if !r.Balanced {
		bal = "NOT balanced"
	}
	fmt.Fprintf(w, "Remittance %s: %s -> %s\n", r.ControlNumber, orDash(r.Payer.Name), orDash(r.Payee.Name))
	fmt.Fprintf(w, "Payment %s %s %s, trace %s, %s\n\n", r.Payment.Amount, orDash(r.Payment.Method),
		orDash(r.Payment.Date), orDash(r.Payment.TraceNumber), bal)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CLAIM\tSTATUS\tOUTCOME\tCHARGE\tPAID\tPATIENT\tFINDINGS\t")
	for _, c := range r.Claims {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", orDash(c.PatientControlNumber), c.Status,
			c.PaymentOutcome, c.Charge, c.Paid, c.PatientResponsibility, len(c.Findings))
	}
	tw.Flush()
	for _, c := range r.Claims {
		fmt.Fprintf(w, "\nClaim %s (payer claim %s, status %s %s)\n", orDash(c.PatientControlNumber),
			orDash(c.PayerClaimControlNumber), c.StatusCode, c.Status)
		if c.StatusNote != "" {
			fmt.Fprintf(w, "  %s\n", c.StatusNote)
		}
		for _, a := range c.Adjustments {
			fmt.Fprintf(w, "  claim adjustment %s-%s %s [%s]\n", a.Group, a.Reason, a.Amount, a.Category)
		}
		for _, m := range c.Remarks {
			fmt.Fprintf(w, "  claim remark %s\n", m.Code)
		}
		if len(c.Lines) > 0 {
			lt := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(lt, "  LINE\tCONTROL\tPROCEDURE\tDATE\tCHARGE\tPAID\tALLOWED\tADJUSTMENTS")
			for i, l := range c.Lines {
				proc := orDash(l.Procedure)
				if l.SubmittedProcedure != "" {
					proc += " (billed " + l.SubmittedProcedure + ")"
				}
				allowed := "-"
				if l.Allowed != nil {
					allowed = l.Allowed.String()
				}
				var adj []string
				for _, a := range l.Adjustments {
					adj = append(adj, a.Group+"-"+a.Reason+" "+a.Amount.String())
				}
				for _, m := range l.Remarks {
					adj = append(adj, m.Code)
				}
				fmt.Fprintf(lt, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, orDash(l.LineControlNumber), proc,
					orDash(l.ServiceDateFrom), l.Charge, l.Paid, allowed, strings.Join(adj, ", "))
			}
			lt.Flush()
		}
		for _, f := range c.Findings {
			fmt.Fprintf(w, "  * %s %s [%s]\n", f.Category, f.Amount, strings.Join(f.Codes, " "))
			fmt.Fprintf(w, "    %s\n    Next step: %s\n", f.Explanation, f.NextStep)
		}
	}
	if len(r.ProviderAdjustments) > 0 {
		fmt.Fprintln(w, "\nProvider adjustments")
		for _, a := range r.ProviderAdjustments {
			fmt.Fprintf(w, "  %s %s ref %s: %s\n", a.Reason, a.Amount, orDash(a.Reference), a.Description)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
