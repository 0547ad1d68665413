//! Parsing KDS URLs back into requests. Total: every input gives a request or a [`UrlError`].

use alloc::string::{String, ToString};

use sev_types::Product;
use sev_types::tcb::{Tcb, TcbLayout};

use super::build::kds_product;
use super::{Endorsement, HwId, KDS_HOST, KdsRequest, Kind, UrlError};

/// Longest prefix of hostile input copied into an error.
const ECHO_MAX: usize = 160;

fn echo(s: &str) -> String {
    let mut end = s.len().min(ECHO_MAX);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

impl KdsRequest {
    /// Parses a KDS URL such as `https://kdsintf.amd.com/vcek/v1/Milan/<hwid>?blSPL=03&...`.
    ///
    /// Accepts two-digit (`blSPL=03`) and plain (`blSPL=3`) SPLs in any order, upper- or
    /// lowercase hwID hex, an explicit port 443 or 444, and `ucodSPL` as a spelling of
    /// `ucodeSPL`. Rejects any other host, port, path or parameter, percent-escapes, fragments
    /// and user info.
    ///
    /// ```
    /// use sev_verify::kds::{KdsRequest, Endorsement, Resource, UrlError};
    /// use sev_types::Product;
    /// let r = KdsRequest::parse("https://kdsintf.amd.com/vlek/v1/Genoa/crl")?;
    /// assert_eq!((r.product(), r.resource(), r.key_type()), (Product::Genoa, Resource::Crl, Endorsement::Vlek));
    /// assert!(matches!(KdsRequest::parse("https://evil.example/vcek/v1/Genoa/crl"), Err(UrlError::Host { .. })));
    /// # Ok::<(), UrlError>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        if let Some(found) = url
            .chars()
            .find(|&c| !c.is_ascii_graphic() || matches!(c, '%' | '#' | '@' | '\\'))
        {
            return Err(UrlError::Character { found });
        }
        let rest = match url.get(..8) {
            Some(s) if s.eq_ignore_ascii_case("https://") => &url[8..],
            _ => {
                return Err(UrlError::Scheme {
                    found: echo(url.get(..8).unwrap_or(url)),
                });
            }
        };
        let (authority, path_query) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        check_authority(authority)?;
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_query, None),
        };
        let bad_path = || UrlError::Path { found: echo(path) };
        let mut segs = path.strip_prefix('/').ok_or_else(bad_path)?.split('/');
        let (Some(key), Some(v1), Some(product), Some(last), None) =
            (segs.next(), segs.next(), segs.next(), segs.next(), segs.next())
        else {
            return Err(bad_path());
        };
        let key = match key {
            "vcek" => Endorsement::Vcek,
            "vlek" => Endorsement::Vlek,
            _ => return Err(bad_path()),
        };
        if v1 != "v1" || last.is_empty() {
            return Err(bad_path());
        }
        let product = parse_product(product)?;
        // parse_product() only returns products KDS serves.
        let (product, layout) = kds_product(product).map_err(|_| UrlError::Product {
            found: echo(product.name()),
        })?;
        let kind = match (key, last) {
            (_, "cert_chain") => no_query(query, "cert_chain", Kind::CertChain(key))?,
            (_, "crl") => no_query(query, "crl", Kind::Crl(key))?,
            (Endorsement::Vlek, "cert") => Kind::Vlek {
                tcb: parse_spls(query, layout)?,
            },
            (Endorsement::Vlek, _) => return Err(bad_path()),
            (Endorsement::Vcek, hwid) => {
                let hwid = parse_hwid(hwid, product.hwid_len())?;
                Kind::Vcek {
                    hwid,
                    tcb: parse_spls(query, layout)?,
                }
            }
        };
        Ok(KdsRequest { product, kind })
    }
}

fn check_authority(authority: &str) -> Result<(), UrlError> {
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if !host.eq_ignore_ascii_case(KDS_HOST) {
        return Err(UrlError::Host { found: echo(authority) });
    }
    match port {
        None | Some("443") | Some("444") => Ok(()),
        Some(p) => Err(UrlError::Port { found: echo(p) }),
    }
}

fn parse_product(seg: &str) -> Result<Product, UrlError> {
    Product::ALL
        .into_iter()
        .find(|p| p.kds_product() == *p && p.kds_name() == Some(seg))
        .ok_or_else(|| UrlError::Product { found: echo(seg) })
}

fn no_query(query: Option<&str>, endpoint: &'static str, kind: Kind) -> Result<Kind, UrlError> {
    match query {
        None => Ok(kind),
        Some(_) => Err(UrlError::UnexpectedQuery { endpoint }),
    }
}

fn parse_hwid(seg: &str, len: usize) -> Result<HwId, UrlError> {
    let mut bytes = [0u8; 64];
    let out = bytes.get_mut(..len).ok_or_else(|| UrlError::Hwid {
        expected: 2 * len,
        found: echo(seg),
    })?;
    sev_types::fmt::decode_hex_into(seg, out).ok_or_else(|| UrlError::Hwid {
        expected: 2 * len,
        found: echo(seg),
    })?;
    Ok(HwId::new(out))
}

const FMC: &str = "fmcSPL";
const NAMES: [&str; 5] = [FMC, "blSPL", "teeSPL", "snpSPL", "ucodeSPL"];

fn parse_spls(query: Option<&str>, layout: TcbLayout) -> Result<Tcb, UrlError> {
    let mut vals: [Option<u8>; 5] = [None; 5];
    let query = query.unwrap_or("");
    if !query.is_empty() {
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let idx = match name {
                "ucodSPL" => 4,
                _ => NAMES
                    .iter()
                    .position(|n| *n == name)
                    .filter(|&i| i != 0 || layout.has_fmc())
                    .ok_or_else(|| UrlError::UnknownParam { found: echo(name) })?,
            };
            if vals[idx].is_some() {
                return Err(UrlError::DuplicateParam { name: NAMES[idx] });
            }
            vals[idx] = Some(parse_spl(NAMES[idx], value)?);
        }
    }
    let need = |i: usize| vals[i].ok_or(UrlError::MissingParam { name: NAMES[i] });
    let fmc = if layout.has_fmc() { Some(need(0)?) } else { None };
    Ok(Tcb {
        fmc,
        bootloader: need(1)?,
        tee: need(2)?,
        snp: need(3)?,
        microcode: need(4)?,
    })
}

fn parse_spl(name: &'static str, value: &str) -> Result<u8, UrlError> {
    let ok = !value.is_empty() && value.len() <= 3 && value.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| value.parse::<u8>().ok())
        .flatten()
        .ok_or_else(|| UrlError::BadSpl {
            name,
            found: echo(value),
        })
}
