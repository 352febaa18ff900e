package basic_test

var seeds = []string{
	"match 'cmp(u8 at 0 layer link mask 0xff gt 10)' classid 1:1",
	"match 'u32(u16 0x1122 0xffff at 0) and not (meta(priority eq 1) or nbyte(\"ab\" at 2 layer 1))'",
	"match 'canid(sff 1 eff 0x2:0xf)' flowid 1:3",
}
