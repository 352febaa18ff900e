package flower

import (
	"syscall"

	"github.com/netsched/netsched/nl"
	"github.com/netsched/netsched/sched"
)

// template is a chain template of flower (struct fl_flow_tmplt): the keys a
// chain's filters may match on, given as a mask (the values are ignored).
// A filter of the chain whose mask uses a bit the template's does not is
// refused.
type template struct {
	key, mask key
	rng       portRange
	net       *sched.Net
}

var _ sched.ChainTemplate = (*template)(nil)

// newTemplate is fl_tmplt_create.
func newTemplate(c *sched.Chain, attrs nl.Attrs, ext *sched.Ext) (sched.ChainTemplate, error) {
	opt := attrs.Get(sched.TCA_OPTIONS)
	if opt == nil {
		return nil, syscall.EINVAL
	}
	tb, err := sched.ParseOptions(opt.Data, TCA_FLOWER_MAX, policy)
	if err != nil {
		return nil, sched.Quiet(err)
	}
	t := &template{net: c.Block.Net()}
	if err := setKey(t.net, tb, &t.key, &t.mask, &t.rng); err != nil {
		return nil, err
	}
	return t, nil
}

// Dump is fl_tmplt_dump: the template's keys as a filter's.
func (t *template) Dump(b *nl.Builder) error {
	b.Nest(sched.TCA_OPTIONS)
	dumpKey(t.net, b, &t.key, &t.mask, t.rng)
	b.EndNest()
	return nil
}

// Destroy is fl_tmplt_destroy: nothing to release here.
func (t *template) Destroy() {}

// fits is fl_mask_fits_tmplt: every bit of m is in the template's mask.
func (t *template) fits(m *key) bool {
	for i := range m {
		if m[i]&^t.mask[i] != 0 {
			return false
		}
	}
	return true
}
