//! Behind a reverse proxy every request comes from the proxy's address. `--trusted-proxy CIDR`
//! names the proxies whose `X-Forwarded-For` header is believed: the client is then the last
//! address of that header that is not itself a trusted proxy. Nobody else's header is read, so a
//! client cannot choose the address its sign-in attempts are counted under.

use std::net::IpAddr;
use std::str::FromStr;

/// A block of addresses: `10.0.0.0/8`, `fd00::/8`, or one address (`127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let bad = || format!("`{text}` is no address block: write an address, or one with /bits (10.0.0.0/8)");
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits.parse::<u8>().map_err(|_| bad())?)),
            None => (text, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Cidr { addr: addr.to_canonical(), prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> (u128, u8) {
            match ip.to_canonical() {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        };
        let ((net, width), (ip, ip_width)) = (bits(self.addr), bits(ip));
        if width != ip_width {
            return false;
        }
        let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
        net & mask == ip & mask
    }
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address of
/// `X-Forwarded-For` that is not a trusted proxy (proxies append what they saw).
pub fn client_address(peer: IpAddr, forwarded: Option<&str>, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded.unwrap_or("").rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip.to_canonical();
                if !is_trusted(client) {
                    break;
                }
            }
            // An unreadable hop: stop at the last address known.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().expect("cidr"), "::1".parse().expect("cidr")];
        assert_eq!(client_address(ip("203.0.113.9"), Some("1.2.3.4"), &trusted), ip("203.0.113.9"), "not a proxy");
        assert_eq!(client_address(ip("10.1.2.3"), Some("1.2.3.4"), &trusted), ip("1.2.3.4"));
        assert_eq!(client_address(ip("10.1.2.3"), Some("6.6.6.6, 1.2.3.4, 10.0.0.7"), &trusted), ip("1.2.3.4"));
        assert_eq!(client_address(ip("::1"), None, &trusted), ip("::1"), "no header: the proxy itself");
        assert_eq!(client_address(ip("::ffff:10.0.0.1"), Some("1.2.3.4"), &trusted), ip("1.2.3.4"), "mapped IPv4");
        assert!("10.0.0.0/33".parse::<Cidr>().is_err() && "nonsense".parse::<Cidr>().is_err());
        assert!(!"0.0.0.0/0".parse::<Cidr>().expect("cidr").contains(ip("::2")));
    }
}
