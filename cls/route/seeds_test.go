package route_test

var seeds = []string{"from 10 to 2 classid 1:1", "to cosmos order 3 flowid 1:2", "fromif lo"}
