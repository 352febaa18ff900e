package flow_test

var seeds = []string{
	"map key dst and 0xff baseclass 1:1", "hash keys src,dst,proto-src divisor 1024 perturb 10",
	"map key src addend -10.0.0.1 xor 3 or 4 rshift 2 match 'cmp(u8 at 0 layer 0 eq 1)'",
}
