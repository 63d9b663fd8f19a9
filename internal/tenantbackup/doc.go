// Package tenantbackup dumps a tenant database with PostgreSQL's own tools
// (pg_dump's custom format), fingerprints every table in the same snapshot,
// keeps the dumps in a store, and restores a dump into an empty database,
// proving the restored tables equal the fingerprints.
package tenantbackup
