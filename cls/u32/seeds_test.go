package u32_test

var seeds = []string{
	"match ip src 10.0.0.0/8 match tcp dst 80 0xffff classid 1:1",
	"divisor 256",
	"ht 2: sample ip dst 10.0.0.1 match u8 0 0 link 3: hashkey mask 0xff at 16 offset at 0 mask 0x0f00 shift 6 eat",
	"match ip6 dst 2001:db8::/48 match ether src 02:00:00:00:00:01 match mark 1 0xff indev eth0 skip_sw order 5",
}
