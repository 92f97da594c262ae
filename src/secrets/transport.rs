//! What the Cloud client refuses to do with an API key on board: send it in
//! clear text to another machine, or follow a redirect.
//!
//! Both are decided here from the endpoint URL (and a reply's `Location`),
//! parsed with `http`'s [`Uri`], which `ureq` uses itself.

use std::net::IpAddr;

use ureq::http::Uri;

/// The host an `http://` endpoint sends the API key to in clear text, or
/// `None` when the key is safe on the wire: `https://`, or a loopback host
/// (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`), where it never leaves
/// the machine. A URL that does not parse is left to the request to reject.
pub(crate) fn clear_text_host(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    if !uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("http"))
    {
        return None;
    }
    let host = uri.host()?;
    (!is_loopback(host)).then(|| authority_of(&uri))
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let lower = host.to_ascii_lowercase();
    lower == "localhost"
        || lower.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `host[:port]` of `uri`, without user-info, path or query.
fn authority_of(uri: &Uri) -> String {
    match (uri.host(), uri.port_u16()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

/// The host a redirect points to, as `host[:port]` (never the path or the
/// query, which may carry a token): the `Location`'s own host, the
/// endpoint's for a relative `Location`, or `None` when there is no usable
/// `Location`.
pub(crate) fn redirect_host(endpoint: &str, location: Option<&str>) -> Option<String> {
    let location: Uri = location?.trim().parse().ok()?;
    if location.host().is_some() {
        return Some(authority_of(&location));
    }
    let endpoint: Uri = endpoint.parse().ok()?;
    Some(authority_of(&endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_to_another_machine_is_clear_text() {
        assert_eq!(
            clear_text_host("http://prefect.example.com:4200/graphql?t=1"),
            Some("prefect.example.com:4200".into())
        );
        assert_eq!(
            clear_text_host("HTTP://u:p@10.0.0.5/graphql"),
            Some("10.0.0.5".into())
        );
        for safe in [
            "https://api.prefect.io/graphql",
            "http://localhost:4200/graphql",
            "http://LOCALHOST/graphql",
            "http://api.localhost/graphql",
            "http://127.0.0.1:4200/graphql",
            "http://127.9.9.9/graphql",
            "http://[::1]:4200/graphql",
            "not a url",
        ] {
            assert_eq!(clear_text_host(safe), None, "{safe}");
        }
    }

    #[test]
    fn redirect_hosts_never_carry_the_query() {
        let endpoint = "http://127.0.0.1:4200/graphql";
        assert_eq!(
            redirect_host(endpoint, Some("https://evil.example/x?token=t")),
            Some("evil.example".into())
        );
        assert_eq!(
            redirect_host(endpoint, Some("/elsewhere?token=t")),
            Some("127.0.0.1:4200".into())
        );
        assert_eq!(redirect_host(endpoint, None), None);
    }
}
