// Package nl holds netlink framing: message headers, attribute tables parsed the
// way the kernel's nla_parse reads them, and a Builder that writes messages and
// nested attributes in place, as the kernel fills a socket buffer.
//
// Why not only github.com/mdlayher/netlink: that library is what we use to talk
// to a real kernel socket (see tccli's kernel back end), but its AttributeDecoder
// rejects a message at the first malformed attribute, whereas the kernel's
// deprecated parser (which rtnetlink uses for every tc message) stops quietly
// and keeps what it read, lets the last of a repeated type win, and masks the
// NLA_F_NESTED and NLA_F_NET_BYTEORDER bits. A server that must answer exactly
// as the kernel does needs those rules, and a dump of 20,000 classes wants one
// growing buffer rather than an encoder per attribute. This package is small and
// has no state; everything above it speaks in its types.
package nl
