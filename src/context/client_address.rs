//! Which client a request comes from, as the per-address rate limits count
//! it.
//!
//! The address is the TCP peer's, unless the peer is one of the reverse
//! proxies named in the `trusted_proxies` setting: then it is read from
//! `X-Forwarded-For` (or, without one, RFC 7239 `Forwarded: for=`), taking
//! the nearest address that is not itself a trusted proxy (walking the list
//! from the right, as each proxy appends the address it saw), since
//! anything further left is what the client claimed. A request from
//! anywhere else cannot choose its own key by sending these headers.
//!
//! IPv6 clients are counted per /64, the block one subscriber usually gets
//! (RFC 6177), so rotating through the addresses of one's own network does
//! not buy more attempts.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::{header, HeaderMap};
use ipnet::IpNet;

/// The `trusted_proxies` setting, parsed: addresses ("10.0.0.7") or CIDR
/// ranges ("10.0.0.0/8", "fd00::/8"). Errors: the entry that is neither.
pub fn parse_trusted(entries: &[String]) -> Result<Vec<IpNet>, String> {
    entries
        .iter()
        .map(|entry| {
            let entry = entry.trim();
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("trusted_proxies: {entry:?} is neither an address nor a CIDR range"))
        })
        .collect()
}

/// The key the rate limits count a request from `peer` with `headers` under:
/// the client's address as above, IPv6 cut to its /64.
pub fn client_key(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    per_subscriber(client_address(peer, headers, trusted))
}

/// The client's address: `peer`, or for a trusted proxy the nearest
/// untrusted address it forwards.
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain = forwarded_for(headers);
    chain.iter().rev().find(|ip| !is_trusted(ip)).or(chain.first()).copied().unwrap_or(peer)
}

/// The addresses a request was forwarded for, leftmost (the client's
/// claim) first: from every `X-Forwarded-For` header, else from the `for=`
/// of every `Forwarded` element. Entries that are not addresses (`unknown`,
/// obfuscated names) are skipped.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let values = |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    let from_xff: Vec<IpAddr> = values(header::HeaderName::from_static("x-forwarded-for")).filter_map(address).collect();
    if !from_xff.is_empty() {
        return from_xff;
    }
    values(header::FORWARDED)
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim().eq_ignore_ascii_case("for").then(|| address(value))?
        })
        .collect()
}

/// One forwarded address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
/// `[2001:db8::1]:5678`, any of them in quotes.
fn address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    raw.rsplit_once(':')?.0.parse().ok()
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// IPv4 as is; IPv6 with its last 64 bits zeroed.
fn per_subscriber(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(header::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted = parse_trusted(&["10.0.0.0/8".into(), "192.168.1.5".into()]).unwrap();
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7")]);
        // From a stranger the header is ignored.
        assert_eq!(client_key(ip("198.51.100.1"), &xff, &trusted), ip("198.51.100.1"));
        // From the proxy: the nearest untrusted address, not the client's claim.
        assert_eq!(client_key(ip("10.1.2.3"), &xff, &trusted), ip("203.0.113.7"));
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.9.9.9"), ("x-forwarded-for", "192.168.1.5")]);
        assert_eq!(client_key(ip("10.1.2.3"), &chain, &trusted), ip("203.0.113.7"));
        // RFC 7239, with IPv6 in brackets and quotes.
        let fwd = headers(&[("forwarded", r#"for=192.0.2.60;proto=https, for="[2001:db8:cafe:1:2:3:4:5]:4711""#)]);
        assert_eq!(client_key(ip("10.1.2.3"), &fwd, &trusted), ip("2001:db8:cafe:1::"));
        // Nothing usable: the proxy itself.
        assert_eq!(client_key(ip("10.1.2.3"), &headers(&[("x-forwarded-for", "unknown")]), &trusted), ip("10.1.2.3"));
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() {
        let none = HeaderMap::new();
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1"), &none, &[]), client_key(ip("2001:db8:1:2:bbbb::9"), &none, &[]));
        assert_ne!(client_key(ip("2001:db8:1:2::1"), &none, &[]), client_key(ip("2001:db8:1:3::1"), &none, &[]));
        assert_eq!(client_key(ip("::ffff:203.0.113.9"), &none, &[]), ip("203.0.113.9"));
        assert!(parse_trusted(&["not an address".into()]).unwrap_err().contains("not an address"));
    }
}
