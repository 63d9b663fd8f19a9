package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/transfer"
)

var (
	// ErrTransferNotFound is a transfer that does not exist.
	ErrTransferNotFound = errors.New("no such transfer")
	// ErrTransferOpen refuses a second transfer of a household while one
	// is under way.
	ErrTransferOpen = errors.New("the household already has a transfer under way")
	// ErrTransferChanged is a decision on a transfer that was decided,
	// revoked or carried out in the meantime.
	ErrTransferChanged = errors.New("the transfer changed in the meantime; read it again")
)

const transferColumns = `t.id, t.from_tenant, t.household_id, t.from_kelurahan, t.to_tenant, t.to_kelurahan, t.address,
	t.initiated_by, t.status, t.step, t.reason, t.decision_reason, t.waiting, t.members, t.complaints, t.new_household_id,
	r.username, t.requested_at, d.username, t.decided_at, t.completed_at, t.updated_at
	FROM transfer t JOIN account r ON r.id = t.requested_by LEFT JOIN account d ON d.id = t.decided_by`

func scanTransfer(row pgx.CollectableRow) (transfer.Transfer, error) {
	var t transfer.Transfer
	err := row.Scan(&t.ID, &t.From, &t.HouseholdID, &t.FromKelurahan, &t.To, &t.ToKelurahan, &t.Address,
		&t.InitiatedBy, &t.Status, &t.Step, &t.Reason, &t.DecisionReason, &t.Waiting, &t.Members, &t.Complaints, &t.NewHouseholdID,
		&t.RequestedBy, &t.RequestedAt, &t.DecidedBy, &t.DecidedAt, &t.CompletedAt, &t.UpdatedAt)
	return t, err
}

// CreateTransfer records a transfer asked for by account (t's id, sides,
// household and reason). A key sent again by the same account returns the
// transfer it made (created false); a household with a transfer under way
// is ErrTransferOpen.
func (s *Store) CreateTransfer(ctx context.Context, t *transfer.Transfer, account int64, key string) (out *transfer.Transfer, created bool, err error) {
	id := t.ID
	err = s.pool.QueryRow(ctx, `INSERT INTO transfer (id, from_tenant, household_id, from_kelurahan, to_tenant, to_kelurahan,
			address, initiated_by, reason, requested_by, idempotency_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nullif($11, ''))
		ON CONFLICT (requested_by, idempotency_key) DO NOTHING RETURNING id`,
		t.ID, t.From, t.HouseholdID, t.FromKelurahan, t.To, t.ToKelurahan, t.Address, t.InitiatedBy, t.Reason, account, key).Scan(&id)
	created = err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		err = s.pool.QueryRow(ctx, `SELECT id FROM transfer WHERE requested_by = $1 AND idempotency_key = $2`, account, key).Scan(&id)
	}
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.ConstraintName == "transfer_one_open" {
		return nil, false, ErrTransferOpen
	}
	if err != nil {
		return nil, false, fmt.Errorf("while recording a transfer: %w", err)
	}
	out, err = s.Transfer(ctx, id)
	return out, created, err
}

// Transfer reads one transfer.
func (s *Store) Transfer(ctx context.Context, id string) (*transfer.Transfer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+transferColumns+` WHERE t.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("while reading transfer %s: %w", id, err)
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanTransfer)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrTransferNotFound
	}
	return &t, err
}

// Transfers lists the transfers from or to any of tenants, newest first,
// at most limit; open only when open is set.
func (s *Store) Transfers(ctx context.Context, tenants []string, open bool, limit int) ([]transfer.Transfer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+transferColumns+`
		WHERE (t.from_tenant = ANY ($1) OR t.to_tenant = ANY ($1)) AND (NOT $2 OR t.status IN ('diminta', 'diterima'))
		ORDER BY t.requested_at DESC, t.id LIMIT $3`, tenants, open, limit)
	if err == nil {
		var out []transfer.Transfer
		if out, err = pgx.CollectRows(rows, scanTransfer); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("while listing transfers: %w", err)
}

// Decision is a change of a transfer's status by a person.
type Decision struct {
	ID       string
	From, To transfer.Status
	Account  int64
	Reason   *string
	// Destination, when accepting an offer: where the household will live.
	ToKelurahan *string
	Address     *transfer.Address
}

// DecideTransfer moves a transfer from d.From to d.To (ErrTransferChanged
// when it is no longer in d.From), running then in the same transaction:
// an accepted transfer's job is queued with the decision or not at all.
func (s *Store) DecideTransfer(ctx context.Context, d *Decision, then func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE transfer SET status = $3, decided_by = $4, decided_at = now(), decision_reason = $5,
				to_kelurahan = coalesce($6, to_kelurahan), address = coalesce($7, address), updated_at = now()
			WHERE id = $1 AND status = $2`, d.ID, d.From, d.To, d.Account, d.Reason, d.ToKelurahan, d.Address)
		if err != nil {
			return fmt.Errorf("while deciding transfer %s: %w", d.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return ErrTransferChanged
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// TransferStepDone records a step of an accepted transfer; the copy also
// records what it made.
func (s *Store) TransferStepDone(ctx context.Context, id string, step transfer.Step, made *transfer.Arrival) error {
	var household *int64
	var members, complaints *int
	if made != nil {
		household, members, complaints = &made.Household, &made.Members, &made.Complaints
	}
	_, err := s.pool.Exec(ctx, `UPDATE transfer SET step = $2, waiting = NULL, new_household_id = coalesce($3, new_household_id),
			members = coalesce($4, members), complaints = coalesce($5, complaints), updated_at = now()
		WHERE id = $1 AND status = 'diterima'`, id, step, household, members, complaints)
	if err != nil {
		return fmt.Errorf("while recording step %s of transfer %s: %w", step, id, err)
	}
	return nil
}

// TransferIndexed moves the NIK index's entries of a transfer's members
// from the sending kecamatan to the receiving one and records the step, in
// one transaction.
func (s *Store) TransferIndexed(ctx context.Context, t *transfer.Transfer, hashes [][]byte) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		batch.Queue(`INSERT INTO nik_index (nik_hash, tenant) SELECT h, $2 FROM unnest($1::bytea[]) h ON CONFLICT DO NOTHING`, hashes, t.To)
		batch.Queue(`DELETE FROM nik_index WHERE tenant = $2 AND nik_hash = ANY ($1::bytea[])`, hashes, t.From)
		batch.Queue(`UPDATE transfer SET step = 'diindeks', waiting = NULL, updated_at = now() WHERE id = $1 AND status = 'diterima'`, t.ID)
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("while moving transfer %s's NIK index entries: %w", t.ID, err)
		}
		return nil
	})
}

// TransferWaiting records why an accepted transfer's job waits.
func (s *Store) TransferWaiting(ctx context.Context, id, why string) error {
	_, err := s.pool.Exec(ctx, `UPDATE transfer SET waiting = $2, updated_at = now() WHERE id = $1 AND waiting IS DISTINCT FROM $2`, id, why)
	if err != nil {
		return fmt.Errorf("while recording why transfer %s waits: %w", id, err)
	}
	return nil
}

// EndTransfer ends an accepted transfer: done (the address forgotten), or
// failed with why.
func (s *Store) EndTransfer(ctx context.Context, id string, status transfer.Status, why *string) error {
	_, err := s.pool.Exec(ctx, `UPDATE transfer SET status = $2, waiting = $3, completed_at = now(), updated_at = now(),
			address = CASE WHEN $2 = 'selesai' THEN NULL ELSE address END
		WHERE id = $1 AND status = 'diterima'`, id, status, why)
	if err != nil {
		return fmt.Errorf("while ending transfer %s: %w", id, err)
	}
	return nil
}

// AcceptedTransfers lists the ids of the transfers being carried out.
func (s *Store) AcceptedTransfers(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id::text FROM transfer WHERE status = 'diterima' ORDER BY decided_at`)
	if err == nil {
		var out []string
		if out, err = pgx.CollectRows(rows, pgx.RowTo[string]); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("while listing the accepted transfers: %w", err)
}
