package operator

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/robfig/cron/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

const (
	reasonBackupScheduled = "Scheduled"
	reasonInvalidSchedule = "InvalidSchedule"
	// scheduledAtAnnotation holds the schedule slot a backup was made for.
	scheduledAtAnnotation = "slrt.id/scheduled-at"
	slotLayout            = "20060102-150405"
)

// reconcileBackupSchedule makes the backup of the schedule's latest slot when
// there is none yet, keeps the newest spec.backup.keep completed scheduled
// backups, and says how long until the next slot. A slot's backup has a name
// made from the slot, so a pass repeated after a crash creates nothing twice;
// slots missed while the operator was down give one backup, not one each.
func (r *KecamatanReconciler) reconcileBackupSchedule(ctx context.Context, kec *slrtv1.Kecamatan) (time.Duration, error) {
	if kec.Spec.Backup == nil {
		meta.RemoveStatusCondition(&kec.Status.Conditions, slrtv1.ConditionBackupScheduled)
		return 0, nil
	}
	sched, err := cron.ParseStandard(kec.Spec.Backup.Schedule)
	if err != nil {
		setCondition(kec, slrtv1.ConditionBackupScheduled, false, reasonInvalidSchedule,
			fmt.Sprintf("spec.backup.schedule %q is not a schedule (cron's five fields, or @daily, @every 6h): %v", kec.Spec.Backup.Schedule, err))
		return 0, nil
	}
	backups, err := r.scheduledBackups(ctx, kec)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	since := kec.CreationTimestamp.Time
	if len(backups) > 0 && slotOf(&backups[0]).After(since) {
		since = slotOf(&backups[0])
	}
	if slot, due := lastSlot(sched, since, now); due {
		b := scheduledBackup(kec, slot)
		if err := r.Create(ctx, b); err != nil && !apierrors.IsAlreadyExists(err) {
			return 0, fmt.Errorf("while creating the scheduled backup %s: %w", b.Name, err)
		}
		backups = append([]slrtv1.KecamatanBackup{*b}, backups...)
	}
	for _, old := range expired(backups, int(kec.Spec.Backup.Keep)) {
		if err := r.Delete(ctx, old); err != nil && !apierrors.IsNotFound(err) {
			return 0, fmt.Errorf("while deleting the expired backup %s: %w", old.Name, err)
		}
	}
	next := sched.Next(now)
	setCondition(kec, slrtv1.ConditionBackupScheduled, true, reasonBackupScheduled,
		fmt.Sprintf("The next backup is due at %s; the newest %d completed scheduled backups are kept.", next.UTC().Format(time.RFC3339), kec.Spec.Backup.Keep))
	return time.Until(next), nil
}

// scheduledBackups lists the backups kec's schedule made, newest slot first.
func (r *KecamatanReconciler) scheduledBackups(ctx context.Context, kec *slrtv1.Kecamatan) ([]slrtv1.KecamatanBackup, error) {
	var list slrtv1.KecamatanBackupList
	if err := r.List(ctx, &list, client.MatchingLabels{slrtv1.ScheduledByLabel: kec.Name}); err != nil {
		return nil, fmt.Errorf("while listing the scheduled backups: %w", err)
	}
	out := list.Items[:0]
	for _, b := range list.Items {
		if b.Spec.Kecamatan == kec.Name {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return slotOf(&out[i]).After(slotOf(&out[j])) })
	return out, nil
}

// lastSlot is the schedule's latest time after since and not after now.
func lastSlot(sched cron.Schedule, since, now time.Time) (time.Time, bool) {
	var last time.Time
	// A frequent schedule after a long pause walks many slots; past this
	// many, the walk jumps to the last day, whose latest slot is the answer.
	const maxWalk = 10000
	t := sched.Next(since)
	for i := 0; !t.IsZero() && !t.After(now); i++ {
		if i == maxWalk {
			t = sched.Next(now.Add(-24 * time.Hour))
			continue
		}
		last = t
		t = sched.Next(t)
	}
	return last, !last.IsZero()
}

// scheduledBackup is the backup of kec's slot.
func scheduledBackup(kec *slrtv1.Kecamatan, slot time.Time) *slrtv1.KecamatanBackup {
	prefix := kec.Name
	if len(prefix) > 200 {
		prefix = prefix[:200]
	}
	return &slrtv1.KecamatanBackup{
		ObjectMeta: metav1.ObjectMeta{
			Name:        prefix + "-" + slot.UTC().Format(slotLayout),
			Labels:      map[string]string{slrtv1.ScheduledByLabel: kec.Name, slrtv1.CodeLabel: kec.Spec.Code},
			Annotations: map[string]string{scheduledAtAnnotation: slot.UTC().Format(time.RFC3339)},
		},
		Spec: slrtv1.KecamatanBackupSpec{Kecamatan: kec.Name},
	}
}

func slotOf(b *slrtv1.KecamatanBackup) time.Time {
	if t, err := time.Parse(time.RFC3339, b.Annotations[scheduledAtAnnotation]); err == nil {
		return t
	}
	return b.CreationTimestamp.Time
}

// expired picks, from backups newest first, the final ones older than the
// keep-th completed one: failed backups newer than that stay in sight, and a
// backup still running is never picked.
func expired(backups []slrtv1.KecamatanBackup, keep int) []*slrtv1.KecamatanBackup {
	var out []*slrtv1.KecamatanBackup
	completed := 0
	for i := range backups {
		b := &backups[i]
		if !b.IsFinal() {
			continue
		}
		if completed >= keep {
			out = append(out, b)
			continue
		}
		if b.Status.Phase == slrtv1.BackupCompleted {
			completed++
		}
	}
	return out
}

// scheduledBy maps a scheduled backup to the Kecamatan whose schedule made
// it, so that retention runs when a backup completes.
func scheduledBy(_ context.Context, o client.Object) []reconcile.Request {
	if name := o.GetLabels()[slrtv1.ScheduledByLabel]; name != "" {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Name: name}}}
	}
	return nil
}
