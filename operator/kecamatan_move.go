package operator

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

// The steps of a move, kept in status.move.step. Each is recorded before it
// starts and does nothing twice when started again, so an operator stopped
// anywhere goes on from the step recorded.
const (
	// moveStepPausing makes the old database read-only: reads go on, a
	// write answers 503 with Retry-After until the move is done.
	moveStepPausing = "PausingWrites"
	// moveStepCopying dumps the old database, restores it on the new server
	// under a temporary name, checks every table against the dump's
	// fingerprints, then gives it the tenant's name.
	moveStepCopying = "Copying"
	// moveStepSwitching records the new server and points the credentials
	// Secret at it; the API's pools follow the Secret.
	moveStepSwitching = "Switching"
	// moveStepReleasing retains (read-only, login disabled) or drops the old
	// copy as the reclaim policy says.
	moveStepReleasing = "ReleasingOld"
	// moveStepFailed ends a move whose copy did not match: the tenant stays
	// where it was, writable, until the spec changes.
	moveStepFailed = "Failed"
)

// Reasons of the Moving condition besides the steps.
const (
	reasonMoved        = "Moved"
	reasonMoveFailed   = "MoveFailed"
	reasonMoveWaiting  = "MoveWaiting"
	reasonMoveCanceled = "MoveCanceled"
)

// reconcileMove moves the tenant's database to the server it should be on,
// when that is not the one it is on: the one spec.database.server names, or
// one placement picks when its server is draining. It runs on a tenant
// already Ready on its current server, which stays Ready for reads
// throughout.
func (r *KecamatanReconciler) reconcileMove(ctx context.Context, p *pass) error {
	kec := p.kec
	mv := kec.Status.Move
	if mv != nil && mv.Step == moveStepFailed {
		if mv.Generation == kec.Generation {
			return nil // failed for this spec: a changed spec tries again
		}
		kec.Status.Move, mv = nil, nil
	}
	target, why, err := r.moveTarget(ctx, kec)
	if err != nil && mv == nil {
		setCondition(kec, slrtv1.ConditionMoving, false, reasonMoveWaiting, asStepError(err).message)
		return nil
	}
	if mv == nil {
		if target == "" {
			return nil
		}
		if r.Config.Backups.Dir == "" {
			setCondition(kec, slrtv1.ConditionMoving, false, reasonMoveWaiting,
				"Moving to server "+target+" needs the backup store (--backup-dir) for the copy.")
			return nil
		}
		mv = &slrtv1.MoveStatus{From: kec.Status.Server, To: target, Step: moveStepPausing,
			StartedAt: metav1.Now(), Generation: kec.Generation}
		kec.Status.Move = mv
		setCondition(kec, slrtv1.ConditionMoving, true, moveStepPausing, fmt.Sprintf("Moving from %s to %s: %s.", mv.From, mv.To, moveStepWords[moveStepPausing]))
		if err := p.save(ctx, r, moveRecord); err != nil {
			return err
		}
		r.Recorder.Eventf(kec, nil, corev1.EventTypeNormal, "MoveStarted", "Move",
			"Moving database %s from server %s to %s (%s)", kec.DatabaseName(), mv.From, mv.To, why)
	} else if (mv.Step == moveStepPausing || mv.Step == moveStepCopying) && target != mv.To {
		return r.cancelMove(ctx, p)
	}
	for {
		// A status patch decodes the answer into kec, with a new Move.
		mv = kec.Status.Move
		var err error
		log.FromContext(ctx).Info("move step", "step", mv.Step, "from", mv.From, "to", mv.To)
		step := mv.Step
		switch step {
		case moveStepPausing:
			err = r.pauseWrites(ctx, p, true)
		case moveStepCopying:
			err = r.copyDatabase(ctx, p)
			var mismatch *tenantbackup.MismatchError
			if errors.As(err, &mismatch) || errors.Is(err, tenantbackup.ErrCorrupt) {
				return r.failMove(ctx, p, err)
			}
		case moveStepSwitching:
			err = r.switchServer(ctx, p)
		case moveStepReleasing:
			return r.releaseOld(ctx, p)
		default:
			return fmt.Errorf("unknown move step %q", step)
		}
		if err == nil {
			err = r.stepDone(p, step)
		}
		if err == nil {
			err = r.moveTo(ctx, p, nextMoveStep[step])
		}
		if err != nil {
			failed := asStepError(err)
			setCondition(kec, slrtv1.ConditionMoving, true, mv.Step,
				fmt.Sprintf("Moving from %s to %s, step %s, waits: %s", mv.From, mv.To, mv.Step, failed.message))
			return err
		}
	}
}

// stepDone lets a test stop the pass once a step's work is done and before
// the next step is recorded: where a crash leaves the most to redo.
func (r *KecamatanReconciler) stepDone(p *pass, step string) error {
	if r.afterMoveStep == nil {
		return nil
	}
	return r.afterMoveStep(p.kec.Name, step)
}

// moveTarget says where the tenant's database should be, when not where it
// is, and why.
func (r *KecamatanReconciler) moveTarget(ctx context.Context, kec *slrtv1.Kecamatan) (target, why string, err error) {
	current := kec.Status.Server
	if named := kec.Spec.Database.Server; named != "" {
		if named == current {
			return "", "", nil
		}
		if _, err := r.server(ctx, named); err != nil {
			return "", "", err
		}
		return named, "spec.database.server names it", nil
	}
	ds := &slrtv1.DatabaseServer{}
	if err := r.Get(ctx, client.ObjectKey{Name: current}, ds); err != nil || !ds.Spec.Draining {
		return "", "", client.IgnoreNotFound(err)
	}
	r.ledger.mu.Lock()
	defer r.ledger.mu.Unlock()
	d, err := r.choose(ctx, kec)
	if err != nil {
		return "", "", err
	}
	return d.server, "server " + current + " is draining; " + d.message, nil
}

// moveTo records the next step of the move before it starts.
func (r *KecamatanReconciler) moveTo(ctx context.Context, p *pass, step string) error {
	kec, mv := p.kec, p.kec.Status.Move
	mv.Step = step
	setCondition(kec, slrtv1.ConditionMoving, true, step,
		fmt.Sprintf("Moving from %s to %s since %s: %s.", mv.From, mv.To, mv.StartedAt.UTC().Format(time.RFC3339), moveStepWords[step]))
	return p.save(ctx, r, moveRecord)
}

const moveRecord = "the move's step"

// nextMoveStep is the step after each but the last.
var nextMoveStep = map[string]string{
	moveStepPausing:   moveStepCopying,
	moveStepCopying:   moveStepSwitching,
	moveStepSwitching: moveStepReleasing,
}

var moveStepWords = map[string]string{
	moveStepPausing:   "pausing writes (reads go on; writes answer 503 with Retry-After)",
	moveStepCopying:   "copying and checking every table",
	moveStepSwitching: "switching the credentials to the new server",
	moveStepReleasing: "releasing the old copy",
}

// pauseWrites makes the database on the tenant's current server read-only,
// or writable again.
func (r *KecamatanReconciler) pauseWrites(ctx context.Context, p *pass, paused bool) error {
	if err := tenantConn(p.credentials, p.kec.DatabaseName()).PauseWrites(ctx, paused); err != nil {
		return databaseError(err, p.server, fmt.Sprintf("while setting database %s read-only=%t", p.kec.DatabaseName(), paused))
	}
	return nil
}

// copyDatabase gives the new server a copy of the tenant's (read-only)
// database that equals it table by table. A copy already there under the
// tenant's name, from a pass stopped after its rename, is kept when it
// equals the old database; anything else there is set aside, never dropped.
func (r *KecamatanReconciler) copyDatabase(ctx context.Context, p *pass) error {
	kec, mv, name := p.kec, p.kec.Status.Move, p.kec.DatabaseName()
	dst, err := r.server(ctx, mv.To)
	if err != nil {
		return err
	}
	password := string(p.credentials.Data[slrtv1.CredentialsKeyPassword])
	var exists bool
	err = withAdmin(ctx, dst, func(admin *pgadmin.Admin) error {
		role, err := admin.Role(ctx, name)
		switch {
		case err != nil:
			return err
		case !role.Exists:
			err = admin.CreateRole(ctx, name, password, true)
		default:
			err = errors.Join(admin.SetPassword(ctx, name, password), admin.SetLogin(ctx, name, true))
		}
		if err != nil {
			return err
		}
		exists, err = admin.DatabaseExists(ctx, name)
		return err
	})
	if err != nil {
		return databaseError(err, dst, "while preparing role "+name+" for the move")
	}
	src := tenantConn(p.credentials, name)
	target := tenantbackup.Conn{Host: dst.host, Port: dst.port, User: name, Password: password, Database: name, SSLMode: dst.sslMode}
	if exists {
		diffs, err := tableDiffs(ctx, src, target)
		if err != nil {
			return databaseError(err, dst, "while comparing the copy of "+name+" on the new server")
		}
		if len(diffs) == 0 {
			return nil
		}
		aside := name + "_before_move_" + strconv.FormatInt(time.Now().Unix(), 10)
		if err := withAdmin(ctx, dst, func(admin *pgadmin.Admin) error { return admin.RenameDatabase(ctx, name, aside) }); err != nil {
			return databaseError(err, dst, "while setting aside the database "+name+" already on the new server")
		}
		r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, "MoveSetAside", "Move",
			"Server %s already held a database %s that differs from the tenant's; it was renamed %s", dst.name, name, aside)
	}
	file := "moves/" + kec.Spec.Code + "-" + string(kec.UID) + ".dump"
	dumped, err := r.Config.PGTools.Dump(ctx, src, r.Config.Backups, file)
	if err != nil {
		return retryable(reasonDatabaseError, err, "while dumping %s on server %s", name, mv.From)
	}
	defer r.Config.Backups.Remove(file) //nolint:errcheck // a leftover is overwritten by the next move
	tmp := restoringName(name)
	if err := withAdmin(ctx, dst, func(admin *pgadmin.Admin) error { return admin.RecreateDatabase(ctx, tmp, name) }); err != nil {
		return databaseError(err, dst, "while creating database "+tmp)
	}
	target.Database = tmp
	if err := r.Config.PGTools.Restore(ctx, target, r.Config.Backups, file, dumped.SHA256, dumped.Tables); err != nil {
		var mismatch *tenantbackup.MismatchError
		if errors.As(err, &mismatch) || errors.Is(err, tenantbackup.ErrCorrupt) {
			_ = withAdmin(ctx, dst, func(admin *pgadmin.Admin) error { return admin.DropDatabase(ctx, "", tmp) })
			return err
		}
		return retryable(reasonDatabaseError, err, "while restoring %s on server %s", name, mv.To)
	}
	if r.beforeMoveRename != nil {
		r.beforeMoveRename(target)
	}
	// Checked once more against the old database itself, which nothing has
	// written since the pause.
	if diffs, err := tableDiffs(ctx, src, target); err != nil {
		return databaseError(err, dst, "while checking the copy of "+name)
	} else if len(diffs) > 0 {
		_ = withAdmin(ctx, dst, func(admin *pgadmin.Admin) error { return admin.DropDatabase(ctx, "", tmp) })
		return &tenantbackup.MismatchError{Diffs: diffs}
	}
	if err := withAdmin(ctx, dst, func(admin *pgadmin.Admin) error { return admin.RenameDatabase(ctx, tmp, name) }); err != nil {
		return databaseError(err, dst, "while giving the copy its name "+name)
	}
	return nil
}

// tableDiffs compares the two databases table by table and says how b
// differs from a (nothing when they are equal).
func tableDiffs(ctx context.Context, a, b tenantbackup.Conn) ([]string, error) {
	want, err := a.Fingerprints(ctx)
	if err != nil {
		return nil, err
	}
	got, err := b.Fingerprints(ctx)
	if err != nil {
		return nil, err
	}
	return tenantbackup.Compare(want, got), nil
}

// switchServer records the new server and points the credentials Secret at
// it: from here on the tenant lives there.
func (r *KecamatanReconciler) switchServer(ctx context.Context, p *pass) error {
	kec, mv := p.kec, p.kec.Status.Move
	dst, err := r.server(ctx, mv.To)
	if err != nil {
		return err
	}
	secret, err := r.ensureCredentials(ctx, kec, dst)
	if err != nil {
		return err
	}
	kec.Status.Server = mv.To
	kec.Status.CredentialsVersion = secret.ResourceVersion // the role's password there is the Secret's
	p.server, p.credentials = dst, secret
	setCondition(kec, slrtv1.ConditionPlaced, true, reasonMoved, "Moved to server "+mv.To+" from "+mv.From+".")
	return nil
}

// releaseOld retains or drops the old copy as the reclaim policy says, and
// ends the move.
func (r *KecamatanReconciler) releaseOld(ctx context.Context, p *pass) error {
	kec, mv, name := p.kec, p.kec.Status.Move, p.kec.DatabaseName()
	retain := kec.Spec.Database.ReclaimPolicy != slrtv1.ReclaimDelete
	what := "dropped (reclaimPolicy Delete)"
	if retain {
		what = "kept read-only with its login disabled (reclaimPolicy Retain); drop it by hand when no longer needed"
	}
	src, err := r.server(ctx, mv.From)
	switch {
	case err == nil:
		err = withAdmin(ctx, src, func(admin *pgadmin.Admin) error {
			if retain {
				return admin.SetLogin(ctx, name, false)
			}
			if err := admin.DropDatabase(ctx, "", name, restoringName(name)); err != nil {
				return err
			}
			dropped, err := admin.DropRoleUnlessOwner(ctx, name)
			if err == nil && !dropped {
				what += "; its role owns other databases there (set aside earlier), so it was kept with login disabled"
			}
			return err
		})
		if err != nil {
			return databaseError(err, src, "while releasing the old copy of "+name)
		}
	case asStepError(err).reason == reasonUnknownServer:
		what = "not released: its server is gone"
	default:
		return err
	}
	kec.Status.Move = nil
	msg := fmt.Sprintf("Moved from server %s to %s (started %s); the old copy was %s.", mv.From, mv.To, mv.StartedAt.UTC().Format(time.RFC3339), what)
	setCondition(kec, slrtv1.ConditionMoving, false, reasonMoved, msg)
	r.Recorder.Eventf(kec, nil, corev1.EventTypeNormal, reasonMoved, "Move", "%s", msg)
	log.FromContext(ctx).Info("moved", "from", mv.From, "to", mv.To)
	return p.save(ctx, r, moveRecord)
}

// failMove ends a move whose copy does not equal the database: the copy is
// gone, the tenant stays where it was and is writable again, and nothing is
// tried until the spec changes.
func (r *KecamatanReconciler) failMove(ctx context.Context, p *pass, cause error) error {
	kec, mv := p.kec, p.kec.Status.Move
	if err := r.pauseWrites(ctx, p, false); err != nil {
		return err
	}
	mv.Step = moveStepFailed
	msg := fmt.Sprintf("The move from %s to %s stopped: the copy differs from the database (%v). The tenant stays on %s and is writable again; change the spec to try again.", mv.From, mv.To, cause, mv.From)
	setCondition(kec, slrtv1.ConditionMoving, false, reasonMoveFailed, msg)
	r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, reasonMoveFailed, "Move", "%s", msg)
	return p.save(ctx, r, moveRecord)
}

// cancelMove stops a move the spec no longer asks for, before the switch:
// the copy on the new server is dropped and the tenant writable again.
func (r *KecamatanReconciler) cancelMove(ctx context.Context, p *pass) error {
	kec, mv, name := p.kec, p.kec.Status.Move, p.kec.DatabaseName()
	if dst, err := r.server(ctx, mv.To); err == nil {
		err = withAdmin(ctx, dst, func(admin *pgadmin.Admin) error { return admin.DropDatabase(ctx, "", restoringName(name)) })
		if err != nil {
			return databaseError(err, dst, "while dropping the unfinished copy of "+name)
		}
	}
	if err := r.pauseWrites(ctx, p, false); err != nil {
		return err
	}
	kec.Status.Move = nil
	setCondition(kec, slrtv1.ConditionMoving, false, reasonMoveCanceled,
		fmt.Sprintf("The move from %s to %s was canceled before the switch; the tenant stays on %s.", mv.From, mv.To, mv.From))
	return p.save(ctx, r, moveRecord)
}
