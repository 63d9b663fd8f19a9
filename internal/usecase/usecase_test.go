package usecase_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/usecase"
)

// fieldsOf returns the fields an error says are at fault.
func fieldsOf(err error) []string {
	var inv *registry.InvalidError
	if !errors.As(err, &inv) {
		return nil
	}
	var out []string
	for _, f := range inv.Fields {
		out = append(out, f.Field+" "+f.Code)
	}
	return out
}

// registered registers a household with its head as the petugas and
// returns the head's id.
func registered(t *testing.T, name string) int64 {
	t.Helper()
	out, err := app.RegisterHouseholdWithHead(context.Background(), as(t, "petugas", "32.73.03", "penduduk", "write"),
		newHead("32.73.03.1001", name), usecase.Once{})
	if err != nil {
		t.Fatal(err)
	}
	return out.ID
}

// A complaint is refused with every field at fault at once, the
// catalogue's category among them, and nothing is recorded.
func TestRecordComplaintNamesEveryFieldAtFault(t *testing.T) {
	ctx := context.Background()
	petugas := as(t, "petugas", "32.73.03", "keluhan", "write")
	person := registered(t, "Euis Rahayu")
	_, err := app.RecordComplaint(ctx, petugas, &casework.NewComplaint{PersonID: person, Channel: "merpati", Category: "TIDAK_ADA",
		Urgency: "biasa"}, usecase.Once{})
	got := fieldsOf(err)
	want := []string{"/channel complaint.channel", "/description complaint.description_required", "/category complaint.category"}
	if !slices.Equal(got, want) {
		t.Fatalf("fields at fault: %v, want %v", got, want)
	}
	if list, err := app.Complaints(ctx, petugas, casework.ComplaintFilter{Limit: 100}); err != nil || slices.ContainsFunc(list,
		func(c casework.ComplaintSummary) bool { return c.Person.ID == person }) {
		t.Fatalf("a refused complaint was recorded: %v", err)
	}
}

// The same idempotency key with the same request gets the first answer;
// with another request it is refused, and nothing more is made.
func TestCreateOnceWithAKey(t *testing.T) {
	ctx := context.Background()
	petugas := as(t, "petugas", "32.73.03", "keluhan", "write")
	in := &casework.NewComplaint{PersonID: registered(t, "Nining Suningsih"), Channel: "telepon", Category: "RTLH", Urgency: "segera",
		Description: "Atap rumah roboh sebagian"}
	once := usecase.Once{Key: "k-" + newKK(), Route: "test", Hash: []byte("first")}
	first, err := app.RecordComplaint(ctx, petugas, in, once)
	if err != nil {
		t.Fatal(err)
	}
	again, err := app.RecordComplaint(ctx, petugas, in, once)
	if err != nil || again.ID != first.ID || first.Replayed || !again.Replayed {
		t.Fatalf("a retry: %+v %v, first %+v", again, err, first)
	}
	other := once
	other.Hash = []byte("another request")
	if _, err := app.RecordComplaint(ctx, petugas, in, other); !errors.Is(err, usecase.ErrKeyReused) {
		t.Fatalf("the key with another request: %v", err)
	}
}

// Registering a household with its head is one transaction: a head the
// registry refuses leaves no household behind.
func TestRegisterHouseholdWithHeadIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	petugas := as(t, "petugas", "32.73.03", "penduduk", "write")
	first := newHead("32.73.03.1001", "Ujang Suryana")
	if _, err := app.RegisterHouseholdWithHead(ctx, petugas, first, usecase.Once{}); err != nil {
		t.Fatal(err)
	}
	second := newHead("32.73.03.1001", "Ujang Suryana")
	second.Head.NIK = first.Head.NIK // the same person again
	var conflict *registry.ConflictError
	if _, err := app.RegisterHouseholdWithHead(ctx, petugas, second, usecase.Once{}); !errors.As(err, &conflict) || conflict.Field != "/nik" {
		t.Fatalf("a NIK registered twice: %v", err)
	}
	found, _, err := app.SearchPersons(ctx, as(t, "petugas", "32.73.03", "penduduk", "read"), &registry.Query{NoKK: second.Household.NoKK})
	if err != nil || len(found) != 0 {
		t.Fatalf("the refused head's household is there: %v %v", found, err)
	}
}

// A NIK another kecamatan holds is refused naming it, until the move is
// acknowledged.
func TestRegisterPersonHeldElsewhere(t *testing.T) {
	ctx := context.Background()
	elsewhere := newHead("32.73.04.1001", "Dadang Hermawan")
	elsewhere.Head.NIK = "327304" + elsewhere.Head.NIK[6:]
	if _, err := app.RegisterHouseholdWithHead(ctx, as(t, "petugas-bk", "32.73.04", "penduduk", "write"), elsewhere, usecase.Once{}); err != nil {
		t.Fatal(err)
	}
	moved := newHead("32.73.03.1001", "Dadang Hermawan")
	moved.Head.NIK = elsewhere.Head.NIK
	petugas := as(t, "petugas", "32.73.03", "penduduk", "write")
	var other *usecase.OtherKecamatanError
	if _, err := app.RegisterHouseholdWithHead(ctx, petugas, moved, usecase.Once{}); !errors.As(err, &other) || !slices.Equal(other.Kecamatan, []string{"32.73.04"}) {
		t.Fatalf("a NIK held in Bojongloa Kaler: %v", err)
	}
	moved.Head.AcknowledgeOtherKecamatan = true
	out, err := app.RegisterHouseholdWithHead(ctx, petugas, moved, usecase.Once{})
	if err != nil || !slices.Equal(out.OtherKecamatan, []string{"32.73.04"}) {
		t.Fatalf("the move acknowledged: %+v %v", out, err)
	}
}

// A petugas may not register in a kelurahan of the kecamatan it holds no
// grant in, nor in another kecamatan's.
func TestRegisterHouseholdOutsideTheCallersKelurahan(t *testing.T) {
	ctx := context.Background()
	petugas := as(t, "petugas", "32.73.03", "penduduk", "write")
	var outside *usecase.OutsideScopeError
	if _, err := app.RegisterHouseholdWithHead(ctx, petugas, newHead("32.73.03.1002", "Iis Dahlia"), usecase.Once{}); !errors.As(err, &outside) {
		t.Fatalf("another kelurahan: %v", err)
	}
	_, err := app.RegisterHouseholdWithHead(ctx, petugas, newHead("32.73.04.1001", "Iis Dahlia"), usecase.Once{})
	if got := fieldsOf(err); !slices.Equal(got, []string{"/house/kelurahan kelurahan.other_kecamatan"}) {
		t.Fatalf("another kecamatan: %v", got)
	}
}

// A referral's steps follow the roles: the petugas drafts but may not
// send, the koordinator sends, the agency accepts from its side and may
// not send; a case is read only inside the caller's kelurahan.
func TestReferralStepsFollowTheRoles(t *testing.T) {
	ctx := context.Background()
	petugas := as(t, "petugas", "32.73.03", "keluhan", "write")
	complaint, err := app.RecordComplaint(ctx, petugas, &casework.NewComplaint{PersonID: registered(t, "Enok Sumarni"), Channel: "datang_langsung",
		Category: "IURAN_BPJS", Urgency: "biasa", Description: "Iuran BPJS menunggak"}, usecase.Once{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Complaint(ctx, as(t, "petugas-1002", "32.73.03", "keluhan", "read"), complaint.ID); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("another kelurahan's petugas reads the case: %v", err)
	}
	ref, err := app.DraftReferral(ctx, as(t, "petugas", "32.73.03", "rujukan", "write"),
		&casework.NewReferral{ComplaintID: complaint.ID, Service: "PBI_JK", DocumentsProvided: []string{"KTP"}}, usecase.Once{})
	if err != nil || ref.TrackingCode == "" {
		t.Fatalf("drafting: %+v %v", ref, err)
	}
	send := &casework.Change{Status: rujukan.Requested}
	if _, err := app.MoveReferral(ctx, as(t, "petugas", "32.73.03", "rujukan", "write"), ref.ID, send); !errors.Is(err, casework.ErrNotAllowed) {
		t.Fatalf("the petugas sends: %v", err)
	}
	sent, err := app.MoveReferral(ctx, as(t, "koordinator", "32.73.03", "rujukan", "write"), ref.ID, send)
	if err != nil || sent.Status != string(rujukan.Requested) || sent.CompletionDue == nil {
		t.Fatalf("the koordinator sends: %+v %v", sent, err)
	}
	dinkes := as(t, "dinkes", "32.73.03", "", "")
	accepted, err := app.MoveReferralAsAgency(ctx, dinkes, "DINKES", ref.ID, &casework.Change{Status: rujukan.Accepted})
	if err != nil || accepted.Status != string(rujukan.Accepted) {
		t.Fatalf("Dinkes accepts: %+v %v", accepted, err)
	}
	var transition *rujukan.TransitionError
	if _, err := app.MoveReferralAsAgency(ctx, dinkes, "DINKES", ref.ID, send); !errors.As(err, &transition) {
		t.Fatalf("Dinkes sends: %v", err)
	}
	if _, err := app.MoveReferralAsAgency(ctx, dinkes, "DISDIK", ref.ID, &casework.Change{Status: rujukan.InProgress}); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("another agency moves it: %v", err)
	}
}

// An agency's inbox gathers its referrals from every kecamatan.
func TestAgencyInboxAcrossKecamatan(t *testing.T) {
	inbox, err := app.AgencyInbox(context.Background(), as(t, "dinkes", "", "", ""), "DINKES", casework.InboxFilter{Limit: 500})
	if err != nil || len(inbox.Unavailable) != 0 {
		t.Fatalf("the inbox: %+v %v", inbox, err)
	}
	for _, it := range inbox.Items {
		if it.Kecamatan == "" || it.Status == string(rujukan.Draft) {
			t.Errorf("an item without its kecamatan, or a draft: %+v", it)
		}
	}
}
