//! What a site tells search engines' crawlers besides its pages: `robots.txt` (the whole site
//! may be crawled; where the sitemap is) and `sitemap.xml` (every page that may be indexed,
//! each with the same page in the site's other languages), made from the addresses the pages'
//! heads name ([`view::PageLinks`]), so the two always agree.
//!
//! Pages not for search results (confirmation pages) say so themselves with
//! `<meta name="robots" content="noindex">` and are left out of the sitemap; robots.txt does not
//! disallow them, since a crawler that may not fetch a page never reads its `noindex`.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use view::PageLinks;

/// The sitemaps.org namespace of `<urlset>`.
pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The namespace of the `<xhtml:link rel="alternate" hreflang>` entries (Google's way of
/// naming a page's language versions in a sitemap).
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The sitemap's address on the site at `site_url` (no trailing slash).
pub fn sitemap_url(site_url: &str) -> String {
    format!("{}/sitemap.xml", site_url.trim_end_matches('/'))
}

/// `robots.txt` of the site at `site_url`: every crawler may fetch everything; the sitemap.
pub fn robots_txt(site_url: &str) -> String {
    format!(
        "# Every page may be crawled. Pages that are not for search results (the confirmation\n\
         # after sending a form) carry <meta name=\"robots\" content=\"noindex\">.\n\
         User-agent: *\n\
         Allow: /\n\
         \n\
         Sitemap: {}\n",
        sitemap_url(site_url)
    )
}

/// `sitemap.xml` listing the indexed ones of `pages`, in their order.
pub fn sitemap_xml(pages: &[&PageLinks]) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_sitemap(&mut w, pages).expect("writing XML into memory cannot fail");
    let mut xml = w.into_inner();
    xml.push(b'\n');
    xml
}

fn write_sitemap(w: &mut Writer<Vec<u8>>, pages: &[&PageLinks]) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .with_attribute(("xmlns:xhtml", XHTML_NS))
        .write_inner_content(|w| {
            for page in pages.iter().filter(|p| p.indexed) {
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&page.canonical))?;
                    for a in &page.alternates {
                        w.create_element("xhtml:link")
                            .with_attribute(("rel", "alternate"))
                            .with_attribute(("hreflang", a.hreflang.as_str()))
                            .with_attribute(("href", a.href.as_str()))
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use view::Alternate;

    fn page(canonical: &str, indexed: bool) -> PageLinks {
        PageLinks {
            canonical: canonical.into(),
            alternates: vec![Alternate {
                hreflang: "x-default".into(),
                href: canonical.into(),
            }],
            indexed,
        }
    }

    #[test]
    fn the_sitemap_lists_indexed_pages_with_their_alternates_and_escapes_addresses() {
        let a = page("https://f.example/a/?x=1&y=2", true);
        let b = page("https://f.example/a/danke/", false);
        let xml = String::from_utf8(sitemap_xml(&[&a, &b])).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n  \
             <url>\n    \
             <loc>https://f.example/a/?x=1&amp;y=2</loc>\n    \
             <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"https://f.example/a/?x=1&amp;y=2\"/>\n  \
             </url>\n\
             </urlset>\n"
        );
    }

    #[test]
    fn robots_txt_allows_everything_and_names_the_sitemap() {
        let txt = robots_txt("https://formulare.musterstadt.example/");
        assert!(txt.contains("User-agent: *\nAllow: /\n"), "{txt}");
        assert!(
            txt.ends_with("Sitemap: https://formulare.musterstadt.example/sitemap.xml\n"),
            "{txt}"
        );
    }
}
