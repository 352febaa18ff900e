package cgroup_test

var seeds = []string{"match 'cmp(u8 at 0 layer 1 eq 3)'", "action drop", ""}
