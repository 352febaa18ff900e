package netdev

import (
	"fmt"
	"strings"
	"sync"
	"syscall"

	"github.com/netsched/netsched/pkt"
	"github.com/netsched/netsched/sched"
)

// World is every namespace of one engine (a daemon, a simulation).
type World struct {
	namespaces map[string]*Namespace
	order      []*Namespace
	// NewNet makes the scheduling state of a new namespace.
	NewNet func() *sched.Net
	Pool   *pkt.Pool
	// Lock is the control lock. When set, packets that reach a
	// namespace's own stack go to its host stack (host.go), which runs
	// under it; when nil they are freed.
	Lock sync.Locker

	rx backlog
}

// NewWorld returns an empty world; newNet is called once per namespace.
func NewWorld(newNet func() *sched.Net, pool *pkt.Pool) *World {
	return &World{namespaces: map[string]*Namespace{}, NewNet: newNet, Pool: pool}
}

// Namespace returns the namespace of that name, creating it (with its lo)
// on first use.
func (w *World) Namespace(name string) *Namespace {
	if ns := w.namespaces[name]; ns != nil {
		return ns
	}
	ns := &Namespace{Name: name, world: w, Net: w.NewNet(), byIndex: map[int32]*Device{}, byName: map[string]*Device{}}
	ns.Net.Forwarder = newForwarder(ns) // forward.go: mirred's path to the devices
	ns.Net.Names = names{ns}            // names.go: device names for classifiers
	w.namespaces[name] = ns
	w.order = append(w.order, ns)
	lo := newDevice(ns, "lo", kindLoopback, 1, 1)
	if err := ns.register(lo); err != nil {
		panic(err)
	}
	return ns
}

// Lookup returns an existing namespace or nil.
func (w *World) Lookup(name string) *Namespace { return w.namespaces[name] }

// Namespaces lists the namespaces in creation order.
func (w *World) Namespaces() []*Namespace { return w.order }

// Delete removes a namespace and unregisters its devices (veth peers in
// other namespaces go with them, as in the kernel).
func (w *World) Delete(name string) bool {
	ns := w.namespaces[name]
	if ns == nil {
		return false
	}
	for len(ns.devs) > 0 {
		ns.unregister(ns.devs[len(ns.devs)-1])
	}
	delete(w.namespaces, name)
	for i, x := range w.order {
		if x == ns {
			w.order = append(w.order[:i], w.order[i+1:]...)
			break
		}
	}
	return true
}

// Namespace is one network namespace: its devices in registration order,
// its ifindex space, and its scheduling state.
type Namespace struct {
	Name  string
	Net   *sched.Net
	world *World

	devs      []*Device
	byIndex   map[int32]*Device
	byName    map[string]*Device
	lastIndex int32
	nsids     map[*Namespace]int32

	// Events, when set, hears of every link and address change (rtnl
	// turns them into RTM_NEWLINK/DELLINK notifications).
	Events func(ev Event)
	// Deliver takes packets that arrive for the namespace's own stack; by
	// default they go to the host stack (host.go).
	Deliver func(d *Device, p *pkt.Packet)

	host *Host
	// routes are the static routes (routes.go).
	routes []*StaticRoute
}

// EventType says what changed.
type EventType int

// Event types.
const (
	LinkNew EventType = iota
	LinkDel
	LinkChange
	AddrNew
	AddrDel
)

// Event is a change to tell listeners about.
type Event struct {
	Type EventType
	Dev  *Device
	Addr *Addr
}

func (ns *Namespace) emit(ev Event) {
	if ns.Events != nil {
		ns.Events(ev)
	}
}

// NsID returns the id under which this namespace knows other, allocating
// the next free one on first use (peernet2id_alloc): the kernel reports a
// veth peer in another namespace as IFLA_LINK plus this id.
func (ns *Namespace) NsID(other *Namespace) int32 {
	if ns.nsids == nil {
		ns.nsids = map[*Namespace]int32{}
	}
	if id, ok := ns.nsids[other]; ok {
		return id
	}
	id := int32(len(ns.nsids))
	ns.nsids[other] = id
	return id
}

// Devices lists the devices in registration order (for_each_netdev).
func (ns *Namespace) Devices() []*Device { return ns.devs }

// ByIndex finds a device by ifindex.
func (ns *Namespace) ByIndex(i int32) *Device { return ns.byIndex[i] }

// ByName finds a device by name.
func (ns *Namespace) ByName(name string) *Device { return ns.byName[name] }

// Pool is the packet pool of the namespace's world.
func (ns *Namespace) Pool() *pkt.Pool { return ns.world.Pool }

// validName is dev_valid_name.
func validName(name string) bool {
	if name == "" || len(name) >= 16 || name == "." || name == ".." {
		return false
	}
	for _, c := range name {
		if c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' {
			return false
		}
	}
	return true
}

// allocName resolves a "%d" pattern to the first free name (dev_alloc_name).
func (ns *Namespace) allocName(name string) (string, error) {
	if !strings.Contains(name, "%") {
		if !validName(name) {
			return "", syscall.EINVAL
		}
		if ns.byName[name] != nil {
			return "", syscall.EEXIST
		}
		return name, nil
	}
	if strings.Count(name, "%") != 1 || !strings.Contains(name, "%d") {
		return "", syscall.EINVAL
	}
	for i := 0; i < 32768; i++ {
		n := strings.Replace(name, "%d", fmt.Sprint(i), 1)
		if !validName(n) {
			return "", syscall.EINVAL
		}
		if ns.byName[n] == nil {
			return n, nil
		}
	}
	return "", syscall.ENFILE
}

// register gives d an ifindex (the next after the last given, as the
// kernel's cyclic allocator does) and adds it to the namespace.
func (ns *Namespace) register(d *Device) error {
	if d.index == 0 {
		ns.lastIndex++
		for ns.byIndex[ns.lastIndex] != nil {
			ns.lastIndex++
		}
		d.index = ns.lastIndex
	} else if ns.byIndex[d.index] != nil {
		return syscall.EBUSY
	}
	d.ns = ns
	ns.devs = append(ns.devs, d)
	ns.byIndex[d.index] = d
	ns.byName[d.name] = d
	ns.emit(Event{Type: LinkNew, Dev: d})
	return nil
}

// unregister removes d: it goes down, its qdiscs are released, its peer
// (veth) goes with it.
func (ns *Namespace) unregister(d *Device) {
	if d.dead {
		return
	}
	d.dead = true
	if d.flags&IFF_UP != 0 {
		d.close()
	}
	d.Sched.Shutdown()
	ns.dropRoutes(d)
	for i, x := range ns.devs {
		if x == d {
			ns.devs = append(ns.devs[:i], ns.devs[i+1:]...)
			break
		}
	}
	delete(ns.byIndex, d.index)
	delete(ns.byName, d.name)
	ns.emit(Event{Type: LinkDel, Dev: d})
	if p := d.peer; p != nil {
		d.peer = nil
		p.peer = nil
		p.ns.unregister(p)
	}
}
