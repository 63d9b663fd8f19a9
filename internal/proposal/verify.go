package proposal

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// QueueItem is a proposal in Dinas Sosial's verification queue: a
// summary with its kecamatan and the date of the muskel that agreed it.
type QueueItem struct {
	Kecamatan string `json:"kecamatan"`
	Summary
	HeldOn *registry.Date `json:"musyawarahHeldOn,omitempty"`
}

// QueueFilter selects a kecamatan's part of the queue.
type QueueFilter struct {
	// Status is disepakati (to verify) unless said: diverifikasi (to send),
	// dikembalikan, ditolak_dinsos or dikirim.
	Status usulan.Status
	Kind   string
	Period string
	// After is the last proposal of the previous page in this kecamatan
	// (0: from the start).
	After int64
	Limit int
}

// QueueStatuses are the statuses the verification queue shows.
var QueueStatuses = []usulan.Status{usulan.Agreed, usulan.Verified, usulan.Returned, usulan.RejectedByDinsos, usulan.Sent}

// Queue lists a kecamatan's proposals in f.Status, oldest first, at most
// f.Limit+1.
func Queue(ctx context.Context, db registry.DB, kecamatan string, f QueueFilter) ([]QueueItem, error) {
	rows, err := db.Query(ctx, `SELECT `+summaryColumns+`, m.held_on FROM usulan u LEFT JOIN musyawarah m ON m.id = u.musyawarah_id
		WHERE u.status = $1 AND ($2 = '' OR u.kind = $2) AND ($3 = '' OR u.period = $3) AND u.id > $4
		ORDER BY u.id LIMIT $5`, f.Status, f.Kind, f.Period, f.After, f.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("while listing proposals to verify: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (QueueItem, error) {
		it := QueueItem{Kecamatan: kecamatan}
		var held *time.Time
		err := scanSummary(row, &it.Summary, &held)
		if held != nil {
			it.HeldOn = &registry.Date{Time: *held}
		}
		return it, err
	})
}

// Send puts every verified proposal of the kecamatan (of one period, when
// period is not "") into the batch: each becomes dikirim with the step
// recorded. It returns how many it sent.
func Send(ctx context.Context, tx pgx.Tx, batch, period string, actor casework.Actor) (int, error) {
	rows, err := tx.Query(ctx, `UPDATE usulan SET status = 'dikirim', batch = $1, updated_at = now()
		WHERE status = 'diverifikasi' AND ($2 = '' OR period = $2) RETURNING id`, batch, period)
	if err != nil {
		return 0, fmt.Errorf("while sending proposals in batch %s: %w", batch, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO usulan_event (usulan_id, from_status, to_status, actor, username, role, reason)
		SELECT id, 'diverifikasi', 'dikirim', $2, $3, $4, $5 FROM unnest($1::bigint[]) id`,
		ids, actor.ID, actor.Username, actor.Role, "batch "+batch)
	if err != nil {
		return 0, fmt.Errorf("while recording the sending of batch %s: %w", batch, err)
	}
	return len(ids), nil
}
