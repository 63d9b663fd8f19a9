package usulan

import (
	"errors"
	"testing"
)

var sides = []Side{Puskesos, Muskel, Dinsos, Pusat}

// The whole transition table, every pair of statuses for every side, held
// against the proposal path as the field walks it.
func TestOnlyTheProposalPathsTransitionsAreAllowed(t *testing.T) {
	want := map[[2]Status]Side{
		{Draft, Submitted}:            Puskesos,
		{Draft, Withdrawn}:            Puskesos,
		{Submitted, Withdrawn}:        Puskesos,
		{Returned, Submitted}:         Puskesos,
		{Returned, Withdrawn}:         Puskesos,
		{Submitted, Agreed}:           Muskel,
		{Submitted, RejectedByMuskel}: Muskel,
		{Agreed, Verified}:            Dinsos,
		{Agreed, Returned}:            Dinsos,
		{Agreed, RejectedByDinsos}:    Dinsos,
		{Verified, Sent}:              Dinsos,
		{Sent, Decided}:               Pusat,
		{Sent, NotDecided}:            Pusat,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			for _, side := range sides {
				_, err := Check(from, to, side)
				allowed := want[[2]Status{from, to}] == side
				if (err == nil) != allowed {
					t.Errorf("%s -> %s by %s: allowed=%t, want %t", from, to, side, err == nil, allowed)
				}
				var te *TransitionError
				if err != nil && !errors.As(err, &te) {
					t.Errorf("%s -> %s: error %T, want *TransitionError", from, to, err)
				}
			}
		}
	}
}

func TestEndedProposalsNeverMove(t *testing.T) {
	for _, s := range []Status{RejectedByMuskel, RejectedByDinsos, Decided, NotDecided, Withdrawn} {
		if Open(s) {
			t.Errorf("%s is open", s)
		}
		for _, side := range sides {
			if n := Next(s, side); len(n) != 0 {
				t.Errorf("%s can become %v by %s", s, n, side)
			}
		}
	}
}

func TestRefusalsReturnsAndWithdrawalsNeedAReason(t *testing.T) {
	for _, st := range table.Steps {
		needs := st.To == RejectedByMuskel || st.To == RejectedByDinsos || st.To == Returned || st.To == Withdrawn
		if st.NeedsReason != needs {
			t.Errorf("%s -> %s: NeedsReason %t", st.From, st.To, st.NeedsReason)
		}
	}
}

func TestOnlyTheKoordinatorWithdrawsWhatTheMuskelHas(t *testing.T) {
	for _, st := range table.Steps {
		if st.Decision != (st.From == Submitted && st.To == Withdrawn) {
			t.Errorf("%s -> %s: Decision %t", st.From, st.To, st.Decision)
		}
	}
}

func TestTheErrorSaysWhatIsAllowed(t *testing.T) {
	_, err := Check(Agreed, Sent, Dinsos)
	if err == nil || err.Error() != "a proposal that is disepakati cannot become dikirim by the dinsos; it can become: diverifikasi, dikembalikan, ditolak_dinsos" {
		t.Errorf("error %v", err)
	}
}
