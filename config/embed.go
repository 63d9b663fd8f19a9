// Package config embeds the configuration that ships with the code: the
// Casbin model and role permissions. (The generated CRD and RBAC manifests
// and the samples in this folder are applied with kubectl or Helm.)
package config

import _ "embed"

// CasbinModel is the authorisation model (RBAC with area-code domains).
//
//go:embed casbin/model.conf
var CasbinModel string

// CasbinPolicy lists what each role may do.
//
//go:embed casbin/policy.csv
var CasbinPolicy string
