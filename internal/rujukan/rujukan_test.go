package rujukan

import (
	"errors"
	"testing"
)

// The whole transition table, every pair of statuses for both sides, held
// against the workflow as the domain describes it.
func TestOnlyTheWorkflowsTransitionsAreAllowed(t *testing.T) {
	want := map[[2]Status]Side{
		{Draft, Requested}:      Puskesos,
		{Draft, Cancelled}:      Puskesos,
		{Requested, Cancelled}:  Puskesos,
		{Accepted, Cancelled}:   Puskesos,
		{InProgress, Cancelled}: Puskesos,
		{Requested, Accepted}:   Agency,
		{Requested, Rejected}:   Agency,
		{Accepted, InProgress}:  Agency,
		{InProgress, Completed}: Agency,
		{InProgress, Failed}:    Agency,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			for _, side := range []Side{Puskesos, Agency} {
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

func TestClosedReferralsNeverMove(t *testing.T) {
	for _, s := range []Status{Rejected, Completed, Failed, Cancelled} {
		if Open(s) {
			t.Errorf("%s is open", s)
		}
		if n := append(Next(s, Puskesos), Next(s, Agency)...); len(n) != 0 {
			t.Errorf("%s can become %v", s, n)
		}
	}
}

func TestRejectionFailureAndCancellationNeedAReason(t *testing.T) {
	for _, st := range table.Steps {
		needs := st.To == Rejected || st.To == Failed || st.To == Cancelled
		if st.NeedsReason != needs {
			t.Errorf("%s -> %s: NeedsReason %t", st.From, st.To, st.NeedsReason)
		}
	}
}

func TestTheErrorSaysWhatIsAllowed(t *testing.T) {
	_, err := Check(Requested, Completed, Agency)
	if err == nil || err.Error() != "a referral that is requested cannot become completed by the agency; it can become: accepted, rejected" {
		t.Errorf("error %v", err)
	}
}
