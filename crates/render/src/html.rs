//! The post-mortem as one standalone HTML page: readable on screen, printable, with no external
//! asset, so it survives being mailed, archived or opened offline.
//!
//! The page is the Markdown document turned into HTML and then sanitised: whatever an author
//! wrote (a `<script>`, an `onerror=` attribute, a `javascript:` link) is removed before the
//! page exists, so no author's script ever runs in a reader's browser.
//!
//! The timeline picture ([`crate::svg`]) sits at the top of the timeline section. Sanitising
//! would strip it (SVG is not on the allowed list, and should not be: an author's SVG can carry
//! script), so it goes in after: it is this crate's own markup, with every person's text in it
//! escaped.

use crate::{markdown, svg};
use hindsight_core::{IncidentRecord, Template, figures::Figures};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html::push_html};

const MARKDOWN_OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

/// Markdown to HTML that is safe to show: raw HTML and dangerous links are stripped.
pub fn safe_html(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    push_html(
        &mut unsafe_html,
        Parser::new_ext(markdown, MARKDOWN_OPTIONS),
    );
    sanitise(&unsafe_html)
}

/// The Markdown as safe HTML, with `picture` right after the heading that starts at byte
/// `heading`. The Markdown is parsed once (so a reference link defined in one section still
/// works in another); the HTML on either side of the heading's end is sanitised, and only the
/// picture is not.
fn safe_html_with_picture(markdown: &str, heading: usize, picture: &str) -> String {
    let mut before: Vec<Event> = Vec::new();
    let mut after: Vec<Event> = Vec::new();
    let mut in_heading = false;
    let mut heading_done = false;
    for (event, range) in Parser::new_ext(markdown, MARKDOWN_OPTIONS).into_offset_iter() {
        if heading_done {
            after.push(event);
            continue;
        }
        match &event {
            Event::Start(Tag::Heading { .. }) if range.start == heading => in_heading = true,
            Event::End(TagEnd::Heading(_)) if in_heading => heading_done = true,
            _ => {}
        }
        before.push(event);
    }
    if !heading_done {
        // The heading was not where it was expected: the page goes without the picture.
        return safe_html(markdown);
    }
    let mut html_before = String::new();
    push_html(&mut html_before, before.into_iter());
    let mut html_after = String::with_capacity(markdown.len() * 3 / 2);
    push_html(&mut html_after, after.into_iter());
    format!(
        "{}{picture}{}",
        sanitise(&html_before),
        sanitise(&html_after)
    )
}

/// The one sanitiser of the page: what may stay of HTML rendered from an author's Markdown.
fn sanitise(unsafe_html: &str) -> String {
    ammonia::Builder::default()
        // No image: the page has no external asset, and an image is how a reader is tracked.
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into())
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        // Only the read-only checkboxes of task lists are inputs.
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") if value != "checkbox" => None,
            _ => Some(value.into()),
        })
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .filter_style_properties(["text-align"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(unsafe_html)
        .to_string()
}

/// The whole post-mortem as a standalone page, with the timeline picture at the top of the
/// timeline section (when the template has one and the timeline has events: a picture of
/// nothing would only repeat that the section is empty).
pub fn postmortem_page(record: &IncidentRecord, figures: &Figures, template: &Template) -> String {
    let (markdown, timeline_heading) = markdown::document(record, figures, template);
    let body = match timeline_heading.filter(|_| !record.timeline.is_empty()) {
        Some(heading) => {
            safe_html_with_picture(&markdown, heading, &svg::timeline_svg(record, figures))
        }
        None => safe_html(&markdown),
    };
    let title = ammonia::clean_text(&format!(
        "{}: {}",
        record.incident.key, record.incident.title
    ));
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hindsight">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{body}</main>
</body>
</html>
"#
    )
}

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --band: #f5f7fa; --accent: #2f5fb3; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 2.5rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 1.25rem; }
h2 { font-size: 1.35rem; margin: 2.4rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p, ul, ol { margin: .5rem 0 1rem; }
em { color: var(--muted); }
a { color: var(--accent); overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.25rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .4rem .6rem; vertical-align: top; text-align: left; }
th { background: var(--band); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
code { font: .9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--band); padding: .1em .3em; border-radius: 3px; }
pre { background: var(--band); padding: .8rem 1rem; overflow-x: auto; border-radius: 4px; }
pre code { background: none; padding: 0; }
blockquote { margin: 1rem 0; padding: .2rem 1rem; border-left: 3px solid var(--line); color: var(--muted); }
@media (max-width: 40rem) { main { padding: 1.25rem .9rem 3rem; } table { display: block; overflow-x: auto; } }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  table, pre, blockquote { break-inside: avoid; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authors_script_never_reaches_the_page() {
        let hostile = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
                       [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>\n\n\
                       <iframe src=\"https://evil.example\"></iframe> <b onclick=\"alert(5)\">bold</b>";
        let html = safe_html(hostile);
        for forbidden in [
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "onclick",
            "alert(",
        ] {
            assert!(!html.contains(forbidden), "{forbidden} survived in {html}");
        }
        assert!(html.contains("<b>bold</b>"), "{html}");
    }

    #[test]
    fn no_external_image_or_non_web_link_reaches_the_page() {
        let html = safe_html(
            "<img src=https://t.example/a.png> ![x](https://t.example/b.png) [y](ssh://h) <input type=password>\n\n- [x] done",
        );
        for forbidden in ["<img", "t.example", "ssh:", "password"] {
            assert!(!html.contains(forbidden), "{forbidden} survived in {html}");
        }
        assert!(html.contains(r#"type="checkbox""#), "{html}");
    }

    #[test]
    fn an_authors_svg_is_stripped_which_is_why_the_picture_goes_in_after_sanitising() {
        let html = safe_html(
            "<svg onload=\"alert(1)\"><script>alert(2)</script><circle r=\"4\"/></svg> text",
        );
        for forbidden in ["<svg", "<circle", "onload", "alert("] {
            assert!(!html.contains(forbidden), "{forbidden} survived in {html}");
        }
    }

    #[test]
    fn tables_and_links_survive_sanitising() {
        let html = safe_html("| a | b |\n|---|---|\n| [x](https://example.com) | 2 |\n");
        assert!(html.contains("<table>") && html.contains("<td>"), "{html}");
        assert!(
            html.contains(
                r#"<a href="https://example.com" rel="noopener noreferrer nofollow">x</a>"#
            ),
            "{html}"
        );
    }
}
