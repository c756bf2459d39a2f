//! A message's text as the timeline shows it: web addresses become links,
//! everything else stays text (escaped, as all text Leptos renders).
//!
//! Only `http` and `https` addresses are linked, found by the `linkify`
//! crate (which also ends an address before a closing bracket or a final
//! full stop, as chat apps do); anything else (`javascript:`, `data:`,
//! `mailto:`…) stays plain text. Links open in a new tab with
//! `rel="noopener noreferrer nofollow ugc"`: the new page cannot reach back
//! into Roomlink, learns nothing of where it was linked from, and search
//! engines treat it as user content (Google's "Qualify your outbound links").

use leptos::prelude::*;
use linkify::{LinkFinder, LinkKind};

/// One piece of a message's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Plain text.
    Text(&'a str),
    /// An `http` or `https` address, as written.
    Link(&'a str),
}

/// `body` split into text and the web addresses to link, in order; joined
/// again they give `body` back.
pub fn pieces(body: &str) -> Vec<Piece<'_>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    finder
        .spans(body)
        .map(|span| {
            let text = span.as_str();
            match span.kind() {
                Some(LinkKind::Url) if is_web_address(text) => Piece::Link(text),
                _ => Piece::Text(text),
            }
        })
        .collect()
}

/// True for an address whose scheme is `http` or `https` (in any case).
fn is_web_address(text: &str) -> bool {
    let scheme = text.split_once("://").map_or("", |(scheme, _)| scheme);
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// `body` as text with its web addresses as links.
pub fn linked(body: &str) -> Vec<AnyView> {
    pieces(body)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned().into_any(),
            Piece::Link(address) => view! {
                <a href=address.to_owned() target="_blank" rel="noopener noreferrer nofollow ugc">{address.to_owned()}</a>
            }
            .into_any(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_become_links_and_nothing_else_does() {
        assert_eq!(
            pieces("see https://example.com/a?b=1. ok"),
            vec![Piece::Text("see "), Piece::Link("https://example.com/a?b=1"), Piece::Text(". ok")]
        );
        assert_eq!(pieces("(http://x.org/y)"), vec![Piece::Text("("), Piece::Link("http://x.org/y"), Piece::Text(")")]);
        assert_eq!(pieces("HTTPS://EXAMPLE.COM"), vec![Piece::Link("HTTPS://EXAMPLE.COM")]);
        for plain in ["javascript://alert(1)", "data://text/html,x", "ftp://files.example.com/a", "mailto:a@b.c", "no links here"] {
            assert!(pieces(plain).iter().all(|p| matches!(p, Piece::Text(_))), "{plain}: {:?}", pieces(plain));
        }
        let body = "a https://a.b/c b <script>";
        let joined: String = pieces(body).iter().map(|p| match p { Piece::Text(t) | Piece::Link(t) => *t }).collect();
        assert_eq!(joined, body);
    }
}
