package sched

import (
	"encoding/binary"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/tc"
)

// The action half of the core, as act_api.c: action kinds, their instances
// kept by index per namespace and kind (the kernel's idr of a
// tc_action_net), the lists of actions filters carry, and RTM_*ACTION.
//
// An action instance has a common part (Action: index, counts, control
// verdict, chain, statistics, times, cookie, flags) and the kind's part
// (ActionOps). A kind's Init follows the kernel's order of checks for that
// kind, using the helpers of ActInit (CheckAlloc, Create, Cleanup,
// CheckCtrlAct) and Action (Release, SetCtrlAct), so that which error wins
// is the kernel's.

// TCA_ACT_FLAGS_* bits: the user's (TCA_ACT_FLAGS) and the kernel's own.
const (
	ActFlagNoPercpuStats = 1 << 0
	ActFlagSkipHW        = 1 << 1
	ActFlagSkipSW        = 1 << 2
	// ActFlagsUserMask are the bits a user may set and a dump shows
	// (TCA_ACT_FLAGS_USER_MASK).
	ActFlagsUserMask = 0xffff

	ActFlagPolice            = 1 << 16 // the old TCA_*_POLICE attribute of a filter
	ActFlagBind              = 1 << 17 // made or found for a filter
	ActFlagReplace           = 1 << 18 // may replace an existing action
	ActFlagNoRTNL            = 1 << 19
	ActFlagAtIngress         = 1 << 20
	ActFlagAtIngressOrClsact = 1 << 21
)

// TCA_ACT_* attributes of one action, beyond those filter_exts.go names.
const (
	TCA_ACT_STATS         = 4
	TCA_ACT_PAD           = 5
	TCA_ACT_FLAGS         = 7
	TCA_ACT_HW_STATS      = 8
	TCA_ACT_USED_HW_STATS = 9
	TCA_ACT_IN_HW_COUNT   = 10
	TCA_ACT_MAX           = TCA_ACT_IN_HW_COUNT

	// TCA_ACT_HW_STATS_ANY is immediate|delayed: the default.
	TCA_ACT_HW_STATS_ANY = 0x3

	// ActConsumed is TC_ACT_CONSUMED, the kernel-internal verdict of an
	// action that took the packet away itself (mirred's reinsert).
	ActConsumed = 9
	// actValueMax is TC_ACT_VALUE_MAX.
	actValueMax = ActTrap
)

// ActionOps is the kind's part of an action instance (the private half of
// struct tc_action with ops->act and ops->dump).
type ActionOps interface {
	// Act runs the action on p (ops->act) and returns its verdict. It is
	// called on the data path, possibly for the same action from several
	// devices at once: state it changes is its own to guard.
	Act(a *Action, p *pkt.Packet, res *Result) int
	// Dump writes the kind's attributes inside TCA_ACT_OPTIONS; bind and
	// ref are subtracted from the counts it reports (ops->dump).
	Dump(a *Action, b *nl.Builder, bind, ref int) error
}

// ActionCleaner releases what an action holds when it goes (ops->cleanup).
type ActionCleaner interface {
	Cleanup(a *Action)
}

// ActionKind is an action kind (struct tc_action_ops).
type ActionKind struct {
	// ID is the kind's name as tc writes it.
	ID string
	// Type is TCA_ID_* (TCA_ACT_*): what an old-style dump calls it.
	Type uint32
	// Init makes or changes an action from its options (ops->init): it
	// returns the action and whether it was made by this call
	// (ACT_P_CREATED); an action found for a filter, or replaced, was not.
	Init func(r *ActInit) (a *Action, created bool, err error)
	// Offload is whether the kind can describe itself to hardware
	// (ops->offload_act_setup); a standalone skip_sw action of a kind
	// without it is refused with EOPNOTSUPP.
	Offload bool
	// Syntax is the kind's tc face; nil for kinds tc cannot name.
	Syntax tc.ActionKindSyntax
}

// AddAction registers action kinds.
func (r *Registry) AddAction(kinds ...*ActionKind) {
	for _, k := range kinds {
		if k.ID == "" || k.Init == nil {
			panic("sched: incomplete action kind " + k.ID)
		}
		if _, dup := r.actions[k.ID]; dup {
			panic("sched: action kind " + k.ID + " registered twice")
		}
		r.actions[k.ID] = k
	}
}

// Action returns the action kind of that name, or nil.
func (r *Registry) Action(id string) *ActionKind { return r.actions[id] }

// Action is one action instance (struct tc_action): the common part every
// kind has.
type Action struct {
	Kind  *ActionKind
	Index uint32
	Ops   ActionOps
	// Flags are tcfa_flags: the user's TCA_ACT_FLAGS and the kernel's
	// flags of the request that made it (bind, ...).
	Flags   uint32
	HWStats uint8
	// Compat marks an action made from a filter's old police attribute
	// (TCA_OLD_COMPAT): it dumps and counts the old way.
	Compat bool

	table   *actTable
	refcnt  int // control plane only
	bindcnt int
	cookie  []byte

	control   atomic.Int32 // tcfa_action
	gotoChain atomic.Pointer[Chain]

	// Statistics (tcfa_bstats, tcfa_qstats) and times (tcfa_tm, ns on
	// the namespace's clock).
	bytes, packets    atomic.Uint64
	drops, overlimits atomic.Uint32
	install           int64
	lastuse, firstuse atomic.Int64
	est               *actEstimator
	clk               interface{ Now() int64 }
	net               *Net
}

// Control is the action's verdict (tcfa_action).
func (a *Action) Control() int { return int(a.control.Load()) }

// Net is the namespace the action lives in.
func (a *Action) Net() *Net { return a.net }

// Now reads the namespace's clock.
func (a *Action) Now() int64 { return a.clk.Now() }

// RefCount and BindCount are the counts a dump reports before subtracting
// (tcfa_refcnt, tcfa_bindcnt).
func (a *Action) RefCount() int  { return a.refcnt }
func (a *Action) BindCount() int { return a.bindcnt }

// UpdateBstats counts p (tcf_action_update_bstats).
func (a *Action) UpdateBstats(p *pkt.Packet) {
	a.bytes.Add(uint64(p.PktLen))
	a.packets.Add(1)
}

// AddBstats counts bytes and packets (the hardware's stats_update path).
func (a *Action) AddBstats(bytes, packets uint64) {
	a.bytes.Add(bytes)
	a.packets.Add(packets)
}

// Packets is the number of packets the action saw.
func (a *Action) Packets() uint64 { return a.packets.Load() }

// Bytes is the number of bytes the action saw.
func (a *Action) Bytes() uint64 { return a.bytes.Load() }

// IncDrops counts a drop (tcf_action_inc_drop_qstats).
func (a *Action) IncDrops() { a.drops.Add(1) }

// IncOverlimits counts an overlimit (tcf_action_inc_overlimit_qstats).
func (a *Action) IncOverlimits() { a.overlimits.Add(1) }

// Drops and Overlimits read the queue counters.
func (a *Action) Drops() uint32      { return a.drops.Load() }
func (a *Action) Overlimits() uint32 { return a.overlimits.Load() }

// LastUse notes that the action ran now (tcf_lastuse_update).
func (a *Action) LastUse() {
	now := a.clk.Now()
	a.lastuse.Store(now)
	if a.firstuse.Load() == 0 {
		a.firstuse.CompareAndSwap(0, now)
	}
}

// RateEstimate reads the action's rate estimator: ok is false without one
// (gen_estimator_read).
func (a *Action) RateEstimate() (bps, pps uint64, ok bool) {
	if a.est == nil {
		return 0, 0, false
	}
	bps, pps = a.est.read()
	return bps, pps, true
}

// userHZ is USER_HZ: tcf_t times are reported in clock ticks of 10 ms.
const userHZ = 100

// Tm returns struct tcf_t as a dump writes it (tcf_tm_dump): install,
// lastuse, expires and firstuse, the first two and the last as clock ticks
// since then, firstuse 0 if it never ran.
func (a *Action) Tm() []byte {
	now := a.clk.Now()
	ticks := func(t int64) uint64 {
		d := now - t
		if d < 0 {
			d = 0
		}
		return uint64(d / (1e9 / userHZ))
	}
	var b [32]byte
	putU64(b[0:], ticks(a.install))
	putU64(b[8:], ticks(a.lastuse.Load()))
	if f := a.firstuse.Load(); f != 0 {
		putU64(b[24:], ticks(f))
	}
	return b[:]
}

// Cookie is the user's cookie, or nil.
func (a *Action) Cookie() []byte { return a.cookie }

// Random is the namespace's deterministic random source for actions (gact
// random, sample): see Net.SeedActions.
func (a *Action) Random(n uint32) uint32 { return a.net.acts().random(n) }

// actNet is a namespace's action state (the tc_action_net of every kind):
// one table per kind and the random source.
type actNet struct {
	tables map[*ActionKind]*actTable
	rndMu  sync.Mutex // guards rnd: actions on several devices draw from it
	rnd    *rand.Rand
	hooks  ActionHooks
}

// defaultActionSeed seeds a namespace's action random source unless
// SeedActions set another: runs repeat exactly.
const defaultActionSeed = 0x6e657473636864

// SeedActions seeds the random source of the namespace's actions (gact's
// random verdicts, sample's choices). Without it every namespace starts
// from the same fixed seed, so that simulations repeat exactly.
func (n *Net) SeedActions(seed uint64) {
	s := n.acts()
	s.rndMu.Lock()
	s.rnd = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s.rndMu.Unlock()
}

func (n *Net) acts() *actNet {
	if n.actions == nil {
		n.actions = &actNet{tables: map[*ActionKind]*actTable{}}
		n.actions.rnd = rand.New(rand.NewPCG(defaultActionSeed, defaultActionSeed^0x9e3779b97f4a7c15))
	}
	return n.actions
}

// random is get_random_u32_below(n) on the namespace's source.
func (s *actNet) random(n uint32) uint32 {
	if n == 0 {
		return 0
	}
	s.rndMu.Lock()
	v := s.rnd.Uint32N(n)
	s.rndMu.Unlock()
	return v
}

// actTable is one kind's actions of one namespace by index (struct
// tcf_idrinfo). A nil entry is an index reserved by a request in progress
// (the kernel's ERR_PTR(-EBUSY)).
type actTable struct {
	kind    *ActionKind
	byIndex map[uint32]*Action
}

func (n *Net) table(k *ActionKind) *actTable {
	s := n.acts()
	t := s.tables[k]
	if t == nil {
		t = &actTable{kind: k, byIndex: map[uint32]*Action{}}
		s.tables[k] = t
	}
	return t
}

// sorted returns the indexes in use, ascending (idr_for_each_entry_ul).
func (t *actTable) sorted() []uint32 {
	out := make([]uint32, 0, len(t.byIndex))
	for i, a := range t.byIndex {
		if a != nil {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ActInit is a request to a kind's Init (the arguments of ops->init).
type ActInit struct {
	Net *Net
	// Kind is the kind being initialised.
	Kind *ActionKind
	// Options is TCA_ACT_OPTIONS, or for the old police attribute the
	// attribute itself; nil when absent.
	Options *nl.Attr
	// Est is the TCA_RATE of the filter request (rate estimator), or nil.
	Est *nl.Attr
	// Proto is the filter's proto, nil for standalone actions.
	Proto *Proto
	// Flags are TCA_ACT_FLAGS_*: the user's and the request's.
	Flags uint32
	Ext   *Ext
}

// Bind reports whether the action is made or found for a filter.
func (r *ActInit) Bind() bool { return r.Flags&ActFlagBind != 0 }

// Replace reports whether an existing action may be replaced.
func (r *ActInit) Replace() bool { return r.Flags&ActFlagReplace != 0 }

// CheckAlloc finds the action of index *index, taking a reference (and a
// binding for a filter), or reserves the index for a new one; index 0
// reserves the lowest free index and stores it in *index
// (tcf_idr_check_alloc). A reserved index of another action in the same
// request is EAGAIN, as the kernel's concurrent allocation is.
func (r *ActInit) CheckAlloc(index *uint32) (a *Action, exists bool, err error) {
	t := r.Net.table(r.Kind)
	if *index != 0 {
		a, ok := t.byIndex[*index]
		if ok && a == nil {
			return nil, false, syscall.EAGAIN
		}
		if a != nil {
			a.refcnt++
			if r.Bind() {
				a.bindcnt++
			}
			return a, true, nil
		}
		t.byIndex[*index] = nil
		return nil, false, nil
	}
	for i := uint32(1); i != 0; i++ {
		if _, used := t.byIndex[i]; !used {
			t.byIndex[i] = nil
			*index = i
			return nil, false, nil
		}
	}
	return nil, false, syscall.ENOSPC
}

// Cleanup frees an index CheckAlloc reserved and no action took
// (tcf_idr_cleanup).
func (r *ActInit) Cleanup(index uint32) {
	t := r.Net.table(r.Kind)
	if a, ok := t.byIndex[index]; ok && a == nil {
		delete(t.byIndex, index)
	}
}

// Create makes the common part of a new action at a reserved index, with
// one reference and, for a filter, one binding (tcf_idr_create); ops is
// the kind's part. A filter's TCA_RATE starts a rate estimator.
func (r *ActInit) Create(index uint32, ops ActionOps) (*Action, error) {
	now := r.Net.Clock.Now()
	a := &Action{Kind: r.Kind, Index: index, Ops: ops, Flags: r.Flags, refcnt: 1,
		table: r.Net.table(r.Kind), clk: r.Net.Clock, net: r.Net, install: now, HWStats: TCA_ACT_HW_STATS_ANY}
	a.lastuse.Store(now)
	if r.Bind() {
		a.bindcnt = 1
	}
	if r.Est != nil {
		e, err := newActEstimator(a, r.Est.Data)
		if err != nil {
			return nil, err
		}
		a.est = e
	}
	return a, nil
}

// ReplaceEstimator starts, or restarts, the action's rate estimator from a
// TCA_RATE (gen_replace_estimator, as police does on a change).
func (a *Action) ReplaceEstimator(opt []byte) error {
	e, err := newActEstimator(a, opt)
	if err != nil {
		return err
	}
	if a.est != nil {
		e.avbps, e.avpps = a.est.avbps, a.est.avpps
		a.est.stop()
	}
	a.est = e
	return nil
}

// Release drops the reference (and binding) the request holds; with the
// last reference the action goes (tcf_idr_release). It reports whether
// the action was deleted.
func (a *Action) Release(bind bool) bool {
	if bind && a.bindcnt > 0 {
		a.bindcnt--
	}
	a.refcnt--
	if a.refcnt > 0 {
		return false
	}
	if cur, ok := a.table.byIndex[a.Index]; ok && (cur == a || cur == nil) {
		delete(a.table.byIndex, a.Index)
	}
	a.cleanup()
	return true
}

// cleanup releases the kind's resources, the estimator and the chain
// (tcf_action_cleanup and free_tcf).
func (a *Action) cleanup() {
	if c, ok := a.Ops.(ActionCleaner); ok {
		c.Cleanup(a)
	}
	if a.est != nil {
		a.est.stop()
		a.est = nil
	}
	if ch := a.gotoChain.Swap(nil); ch != nil {
		ch.PutByAct()
	}
}

// CheckCtrlAct validates a control verdict and, for goto chain, takes the
// chain in the filter's block (tcf_action_check_ctrlact). The chain
// returned is for SetCtrlAct, or for the caller to put on failure.
func (r *ActInit) CheckCtrlAct(action int32) (*Chain, error) {
	opcode := uint32(action) & ActExtMask
	ok := false
	if opcode == 0 {
		ok = action <= actValueMax
	} else if opcode <= ActGotoChain || action == ActUnspec {
		ok = true
	}
	if !ok {
		return nil, Err(syscall.EINVAL, "invalid control action")
	}
	if opcode == ActGotoChain {
		if r.Proto == nil {
			return nil, Err(syscall.EINVAL, "can't goto NULL proto/chain")
		}
		return r.Proto.Chain.Block.ChainGetByAct(uint32(action) & ActExtValMask), nil
	}
	return nil, nil
}

// SetCtrlAct sets the control verdict and chain, returning the chain held
// before, which the caller puts (tcf_action_set_ctrlact).
func (a *Action) SetCtrlAct(action int32, ch *Chain) *Chain {
	a.control.Store(action)
	return a.gotoChain.Swap(ch)
}

// PutChain lets go of a chain CheckCtrlAct or SetCtrlAct returned.
func PutChain(ch *Chain) {
	if ch != nil {
		ch.PutByAct()
	}
}

// GotoChain is the chain a goto-chain verdict continues in.
func (a *Action) GotoChain() *Chain { return a.gotoChain.Load() }

// Parms is the head of every kind's parameter struct (tc_gen: index,
// capab, action, refcnt, bindcnt), as a dump writes it.
func (a *Action) Parms(bind, ref int) [20]byte {
	var b [20]byte
	putU32(b[0:], a.Index)
	putU32(b[8:], uint32(a.control.Load()))
	putU32(b[12:], uint32(int32(a.refcnt-ref)))
	putU32(b[16:], uint32(int32(a.bindcnt-bind)))
	return b
}

func putU32(b []byte, v uint32) { binary.NativeEndian.PutUint32(b, v) }
func putU64(b []byte, v uint64) { binary.NativeEndian.PutUint64(b, v) }

// LookupAction returns the namespace's action of kind id with the given
// index, nil when there is none (tcf_idr_search without taking a
// reference). Call it as requests run, under the engine's lock.
func (n *Net) LookupAction(id string, index uint32) *Action {
	if n.Kinds == nil || n.actions == nil {
		return nil
	}
	k := n.Kinds.Action(id)
	if k == nil {
		return nil
	}
	t := n.actions.tables[k]
	if t == nil {
		return nil
	}
	return t.byIndex[index]
}
