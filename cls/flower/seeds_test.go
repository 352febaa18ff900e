package flower_test

var seeds = []string{
	"dst_mac e4:11:22:11:4a:51/ff:ff:ff:00:00:00 ip_proto tcp dst_ip 10.0.0.0/8 dst_port 80 tcp_flags 0x2/0x12 classid 1:1",
	"vlan_id 10 vlan_prio 2 vlan_ethtype ipv4 cvlan_id 3 ip_flags frag/nofirstfrag ip_ttl 3/0x7 skip_hw",
	"ip_proto udp src_port 10-20 enc_key_id 5 enc_dst_ip 10.0.0.1 enc_dst_port 4789 arp_op request mpls_label 5",
}
