package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
)

// backupsPage is city IT's list of one kecamatan's database backups, with a
// button to take one now. Restoring is done with kubectl, by the runbook
// (docs/operations.md): it replaces a kecamatan's data and is not a click.
type backupsPage struct {
	Code, Name string
	Schedule   string
	Keep       int32
	Rows       []backupRow
	// CanBackUp says the caller may ask for a backup; IdempotencyKey makes
	// the form sent twice ask once.
	CanBackUp      bool
	IdempotencyKey string
	// Requested names the backup just asked for.
	Requested string
	// Working says a backup is pending or running: the page refreshes.
	Working bool
}

type backupRow struct {
	Name, Phase, PhaseClass, Kind, Size, Created, Completed, Message, RequestedBy string
}

// adminBackups lists a kecamatan's backups, newest first.
func (h *Handler) adminBackups(w http.ResponseWriter, r *http.Request) {
	k, ok := h.administered(w, r)
	if !ok {
		return
	}
	items, err := h.app.Backups(r.Context(), caller(r), k.Code)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "admin.backups.title", k.DisplayName)
	d := &backupsPage{Code: k.Code, Name: k.DisplayName, Schedule: k.BackupSchedule, Keep: k.BackupKeep,
		CanBackUp: h.authz.Allowed(account(r), k.Code, "tenant", "write"), IdempotencyKey: rand.Text(),
		Requested: r.URL.Query().Get("diminta")}
	for _, b := range items {
		row := backupRow{Name: b.Name, Phase: v.T("admin.backup.phase." + b.Phase), PhaseClass: phaseClass[b.Phase],
			Kind: v.T("admin.backup.manual"), Size: "–", Created: webDate(b.CreatedAt), Completed: "–",
			Message: b.Message, RequestedBy: b.RequestedBy}
		if b.Scheduled {
			row.Kind = v.T("admin.backup.scheduled")
		}
		if b.SizeBytes > 0 {
			row.Size = byteSize(b.SizeBytes)
		}
		if b.CompletedAt != nil {
			row.Completed = webDate(*b.CompletedAt)
		}
		if b.Phase == "Pending" || b.Phase == "Running" {
			d.Working = true
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Working || (d.Requested != "" && len(items) == 0) {
		v.Refresh = refreshEvery
	}
	render(w, r, http.StatusOK, adminBackupList(v, d))
}

// phaseClass is the stylesheet's state class for a backup's phase.
var phaseClass = map[string]string{"Pending": "provisioning", "Running": "provisioning", "Completed": "ready", "Failed": "suspended"}

// adminBackupNow asks the operator for a backup now, then shows the list.
func (h *Handler) adminBackupNow(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code") // the kecamatan administered, not one acted in
	b, _, err := h.app.BackUp(r.Context(), caller(r), code, r.PostFormValue("idempotency_key"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/kecamatan/"+code+"/cadangan?diminta="+url.QueryEscape(b.Name), http.StatusSeeOther)
}

// byteSize writes a size in the units people read (1 kB = 1000 bytes).
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
