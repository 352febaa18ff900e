package csum

import "hash/crc32"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is SCTP's checksum (sctp_compute_cksum): CRC32c, stored
// little-endian as the kernel's __le32 result.
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
