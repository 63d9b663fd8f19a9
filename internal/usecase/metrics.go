package usecase

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/workdays"
)

// referralGauges reports open and overdue referrals by kecamatan and agency,
// from a snapshot refreshed in the background: a scrape must not fan out to
// every tenant database.
type referralGauges struct {
	mu     sync.Mutex
	counts []casework.OverdueCount
}

// Attribute keys of the use cases' metrics. None carries personal data.
const (
	attrTenant = attribute.Key("slrt.tenant")
	attrAgency = attribute.Key("slrt.agency")
	attrStatus = attribute.Key("slrt.referral.status")
	attrTarget = attribute.Key("slrt.target")
)

// instruments are the use cases' own metrics.
type instruments struct {
	referrals metric.Int64Counter
}

func newInstruments() *instruments {
	referrals, _ := otel.Meter(instrumentationName).Int64Counter("slrt.referral.transitions",
		metric.WithDescription("Referrals made (status draft) and moved, by kecamatan, receiving agency and new status."),
		metric.WithUnit("{referral}"))
	return &instruments{referrals: referrals}
}

func (in *instruments) referralMoved(ctx context.Context, tenant, agency, status string) {
	in.referrals.Add(ctx, 1, metric.WithAttributes(attrTenant.String(tenant), attrAgency.String(agency), attrStatus.String(status)))
}

func (g *referralGauges) register() error {
	m := otel.Meter(instrumentationName)
	open, err := m.Int64ObservableGauge("slrt.referrals.open",
		metric.WithDescription("Referrals sent and not yet closed, by kecamatan and receiving agency."), metric.WithUnit("{referral}"))
	if err != nil {
		return err
	}
	overdue, err := m.Int64ObservableGauge("slrt.referrals.overdue",
		metric.WithDescription("Open referrals past their response or completion target (slrt.target), by kecamatan and agency."),
		metric.WithUnit("{referral}"))
	if err != nil {
		return err
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, c := range g.counts {
			where := metric.WithAttributes(attrTenant.String(c.Kecamatan), attrAgency.String(c.Agency))
			o.ObserveInt64(open, int64(c.Open), where)
			o.ObserveInt64(overdue, int64(c.ResponseOverdue), metric.WithAttributes(attrTenant.String(c.Kecamatan),
				attrAgency.String(c.Agency), attrTarget.String("response")))
			o.ObserveInt64(overdue, int64(c.CompletionOverdue), metric.WithAttributes(attrTenant.String(c.Kecamatan),
				attrAgency.String(c.Agency), attrTarget.String("completion")))
		}
		return nil
	}, open, overdue)
	return err
}

// RunReferralMetrics refreshes the open and overdue referral gauges every
// interval until ctx ends, reading every serving kecamatan. Counts are per
// kecamatan and agency (kelurahan folded in), so the series stay few.
func (a *App) RunReferralMetrics(ctx context.Context, every time.Duration) {
	if err := a.gauges.register(); err != nil {
		slog.ErrorContext(ctx, "referral metrics not registered", "error", err)
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		a.refreshReferralGauges(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (a *App) refreshReferralGauges(ctx context.Context) {
	var mu sync.Mutex
	byKey := map[[2]string]*casework.OverdueCount{}
	_, err := a.fanOut(ctx, nil, func(ctx context.Context, code string, cn conn) error {
		counts, err := casework.CountOverdue(ctx, cn, nil, workdays.Today(time.Now()))
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, c := range counts {
			k := [2]string{code, c.Agency}
			sum := byKey[k]
			if sum == nil {
				sum = &casework.OverdueCount{Kecamatan: code, Agency: c.Agency}
				byKey[k] = sum
			}
			sum.Open += c.Open
			sum.ResponseOverdue += c.ResponseOverdue
			sum.CompletionOverdue += c.CompletionOverdue
		}
		return nil
	})
	if err != nil {
		slog.WarnContext(ctx, "referral metrics not refreshed", "error", err)
		return
	}
	counts := make([]casework.OverdueCount, 0, len(byKey))
	for _, c := range byKey {
		counts = append(counts, *c)
	}
	a.gauges.mu.Lock()
	a.gauges.counts = counts
	a.gauges.mu.Unlock()
}
