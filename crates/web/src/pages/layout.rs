//! The frame every page shares: the header with the navigation and who is signed in, one
//! stylesheet, and the footer. Pages write their body with maud, which escapes every value it
//! prints, so text a user wrote cannot become markup; Markdown reaches a page only through
//! `hindsight_render::html::safe_html`.

use crate::auth::Caller;
use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// A whole page for `caller`.
pub fn page(title: &str, caller: &Caller, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body {
                    header.top {
                        div.bar {
                            a.brand href="/" { "hind" span { "sight" } }
                            nav {
                                @if let Some(user) = &caller.user {
                                    a href="/" { "Incidents" }
                                    @if user.role.can_edit() { a href="/incidents/new" { "New incident" } }
                                    @if user.role.is_admin() { a href="/admin/users" { "Accounts" } }
                                    a href="/account" title={ "Signed in as " (user.name) } { (user.display_name.as_str()) }
                                    form.inline-form method="post" action="/signout" {
                                        input type="hidden" name="csrf" value=(caller.csrf_token());
                                        button type="submit" { "Sign out" }
                                    }
                                } @else {
                                    a href="/signin" { "Sign in" }
                                }
                            }
                        }
                    }
                    main { (body) }
                    (footer())
                }
            }
        }
        .into_string(),
    )
}

/// A page without a caller: errors and the sign-in page.
pub fn bare(title: &str, body: Markup) -> Html<String> {
    page(title, &Caller::anonymous(), body)
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · hindsight" }
            link rel="stylesheet" href="/static/hindsight.css";
        }
    }
}

fn footer() -> Markup {
    html! {
        footer.foot {
            "hindsight — blameless post-mortems. "
            a href="/api/openapi.json" { "API" } " · "
            a href="/healthz" { "health" }
        }
    }
}

/// Markdown a user wrote, sanitised.
pub fn markdown(text: &str) -> Markup {
    PreEscaped(hindsight_render::html::safe_html(text))
}

/// The hidden field every form of a session carries.
pub fn csrf(caller: &Caller) -> Markup {
    html! { input type="hidden" name="csrf" value=(caller.csrf_token()); }
}

/// A notice at the top of a page, from `?ok=` or `?error=` after a redirect.
pub fn flash(ok: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error { div.flash.error role="alert" { (message) } }
        @if let Some(message) = ok { div.flash.ok role="status" { (message) } }
    }
}

/// The stylesheet, served with a long cache life.
pub const STYLESHEET: &str = include_str!("../../static/hindsight.css");
