package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Change is one recorded change of the registry: of a house, a household,
// a person or a membership (a person joining or leaving a household). The
// tenant database's triggers write it with the change (migration 00005).
type Change struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Entity   string    `json:"entity"`
	EntityID int64     `json:"entityId"`
	// Kind is created or changed.
	Kind     string `json:"kind"`
	Actor    *int64 `json:"actorId,omitempty"`
	Username string `json:"username"`
	// Via is how: edit (the API or the web app), import, usulan.
	Via    string  `json:"via"`
	Reason *string `json:"reason,omitempty"`
	// Before and After are the fields that changed, by column; a created
	// record has none but a membership's household and relationship.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// PersonName names the person a person's or membership's change is
	// about, as the registry has it now.
	PersonName string `json:"personName,omitempty"`
}

// Ways a change is made.
const (
	ViaEdit   = "edit"
	ViaImport = "import"
	// ViaUsulan is a proposal's decision taking effect.
	ViaUsulan = "usulan"
)

// Attribute says who makes the changes of a transaction, for the history
// the triggers write.
func Attribute(ctx context.Context, tx pgx.Tx, actor int64, username string) error {
	_, err := tx.Exec(ctx, `SELECT set_config('slrt.actor', $1, true), set_config('slrt.username', $2, true)`,
		fmt.Sprint(actor), username)
	return err
}

// Because says why the rest of a transaction changes the registry, and
// how (ViaEdit when via is empty).
func Because(ctx context.Context, tx pgx.Tx, via, reason string) error {
	_, err := tx.Exec(ctx, `SELECT set_config('slrt.via', $1, true), set_config('slrt.reason', $2, true)`, via, reason)
	return err
}

// History lists the changes of a household in the caller's scope, newest
// first, older than the change before when it is not 0, at most limit:
// the household's own, its house's, its memberships' (who joined and
// left) and those of the persons who are or were its members.
func History(ctx context.Context, db DB, household int64, before int64, limit int, scope []string) ([]Change, error) {
	var house int64
	err := db.QueryRow(ctx, `SELECT house_id FROM household WHERE id = $1 AND ($2::text[] IS NULL OR kelurahan_code = ANY($2))`,
		household, ScopeArg(scope)).Scan(&house)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `
		SELECT c.id, c.at, c.entity, c.entity_id, c.kind, c.actor, c.username, c.via, c.reason, c.before, c.after, coalesce(p.name, '')
		FROM registry_change c
		LEFT JOIN membership m ON c.entity = 'membership' AND m.id = c.entity_id
		LEFT JOIN person p ON p.id = CASE c.entity WHEN 'person' THEN c.entity_id WHEN 'membership' THEN m.person_id END
		WHERE c.id IN (
			SELECT id FROM registry_change WHERE household_id = $1
			UNION ALL SELECT id FROM registry_change WHERE entity = 'house' AND entity_id = $2
			UNION ALL SELECT id FROM registry_change WHERE entity = 'person'
				AND entity_id IN (SELECT person_id FROM membership WHERE household_id = $1))
		AND ($3 = 0 OR c.id < $3)
		ORDER BY c.id DESC LIMIT $4`, household, house, before, limit)
	if err != nil {
		return nil, fmt.Errorf("while reading the history of household %d: %w", household, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Change])
}
