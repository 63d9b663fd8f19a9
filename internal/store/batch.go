package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Batch is a batch of verified proposals Dinas Sosial sends to the centre
// as one BNBA upload.
type Batch struct {
	ID int64 `json:"id"`
	// Code names the batch in the proposals and the file.
	Code      string    `json:"code"`
	Period    string    `json:"period,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	// Sent counts the proposals each kecamatan sent in it.
	Sent map[string]int `json:"sent"`
	// Unavailable names the kecamatan that could not be reached when it
	// was made, and why: their verified proposals wait for the next.
	Unavailable json.RawMessage `json:"unavailable"`
}

// BatchCode is the code of batch id.
func BatchCode(id int64) string { return fmt.Sprintf("BNBA-%06d", id) }

// ErrBatchNotFound is a batch that does not exist.
var ErrBatchNotFound = errors.New("no such batch")

const batchColumns = `b.id, b.period, a.username, b.created_at, b.sent, b.unavailable FROM usulan_batch b JOIN account a ON a.id = b.created_by`

func scanBatch(row pgx.CollectableRow) (Batch, error) {
	var b Batch
	err := row.Scan(&b.ID, &b.Period, &b.CreatedBy, &b.CreatedAt, &b.Sent, &b.Unavailable)
	b.Code = BatchCode(b.ID)
	return b, err
}

// CreateBatch makes a batch of period ("" for all) by account. A key sent
// again by the same account returns the batch it made (created false).
func (s *Store) CreateBatch(ctx context.Context, period string, account int64, key string) (b *Batch, created bool, err error) {
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO usulan_batch (period, created_by, idempotency_key) VALUES ($1, $2, nullif($3, ''))
		ON CONFLICT (created_by, idempotency_key) DO NOTHING RETURNING id`, period, account, key).Scan(&id)
	created = err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		err = s.pool.QueryRow(ctx, `SELECT id FROM usulan_batch WHERE created_by = $1 AND idempotency_key = $2`, account, key).Scan(&id)
	}
	if err != nil {
		return nil, false, fmt.Errorf("while making a batch: %w", err)
	}
	b, err = s.Batch(ctx, id)
	return b, created, err
}

// FinishBatch records what a batch sent: the count of each kecamatan
// (added to what an earlier try recorded) and those unreachable.
func (s *Store) FinishBatch(ctx context.Context, id int64, sent map[string]int, unavailable any) error {
	u, err := json.Marshal(unavailable)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `UPDATE usulan_batch SET sent = sent || $2, unavailable = $3 WHERE id = $1`, id, sent, u)
	if err != nil {
		return fmt.Errorf("while recording batch %d: %w", id, err)
	}
	return nil
}

// Batch reads one batch.
func (s *Store) Batch(ctx context.Context, id int64) (*Batch, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+batchColumns+` WHERE b.id = $1`, id)
	if err != nil {
		return nil, err
	}
	b, err := pgx.CollectExactlyOneRow(rows, scanBatch)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrBatchNotFound
	}
	return &b, err
}

// Batches lists the latest batches, newest first.
func (s *Store) Batches(ctx context.Context, limit int) ([]Batch, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+batchColumns+` ORDER BY b.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("while listing batches: %w", err)
	}
	return pgx.CollectRows(rows, scanBatch)
}
