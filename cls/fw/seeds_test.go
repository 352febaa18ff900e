package fw_test

var seeds = []string{"classid 1:1", "flowid 1:2 indev eth0", "action drop"}
