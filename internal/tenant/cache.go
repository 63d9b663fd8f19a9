package tenant

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// NewKecamatanCache makes the informer cache a Registry reads Kecamatan
// from, indexed by CodeIndex; start it, and wait for it to sync, before the
// first lookup. Its objects carry no managed fields: the API never reads
// them, and with a whole country's Kecamatan they were an eighth of its
// heap.
func NewKecamatanCache(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme) (cache.Cache, error) {
	c, err := cache.New(cfg, cache.Options{Scheme: scheme, DefaultTransform: cache.TransformStripManagedFields()})
	if err != nil {
		return nil, fmt.Errorf("while creating the Kecamatan cache: %w", err)
	}
	if err := c.IndexField(ctx, &slrtv1.Kecamatan{}, CodeIndex, IndexByCode); err != nil {
		return nil, fmt.Errorf("while indexing Kecamatan by code: %w", err)
	}
	return c, nil
}
