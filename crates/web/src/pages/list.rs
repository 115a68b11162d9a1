//! The front page: what hindsight is, and the incidents, filtered and paged.

use super::layout::{flash, page};
use super::{notice, signed_in};
use crate::{
    AppState, PageError,
    api::{blocking, incidents::ListQuery, incidents::member_of},
    auth::Caller,
};
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use hindsight_core::{PostmortemStatus, Severity};
use maud::{Markup, html};

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListPage {
    #[serde(flatten)]
    list: ListQuery,
    done: Option<String>,
}

pub async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListPage>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, "/") {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    let list = query.list;
    let (found, error) = match list.to_query(member_of(&user)) {
        Ok(store_query) => {
            let limit = store_query.limit as usize;
            let app = state.app.clone();
            let found =
                blocking(move || Ok::<_, PageError>(app.store().search_incidents(&store_query)?))
                    .await?;
            let more = found.len() == limit;
            ((found, more), None)
        }
        Err(e) => ((Vec::new(), false), Some(e.body.message)),
    };
    let (found, more) = found;
    let filtered = [
        &list.status,
        &list.severity,
        &list.service,
        &list.owner,
        &list.postmortem_status,
        &list.from,
        &list.to,
        &list.q,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
        || list.before.is_some();
    let body = html! {
        (flash(notice(query.done.as_deref()), error.as_deref()))
        @if !filtered { (welcome(&found.first().map(|s| s.incident.key.to_string()), user.role.can_edit())) }
        div.actions-bar style="justify-content: space-between" {
            h1 { "Incidents" }
            @if user.role.can_edit() { a.button href="/incidents/new" { "New incident" } }
        }
        section.card {
            (filters(&list))
        }
        section.card {
            @if found.is_empty() {
                p { @if filtered { "No incident matches these filters. " a href="/" { "Show all" } } @else { "No incident yet." } }
            } @else {
                div.table-wrap { table #incidents {
                    thead { tr { th { "Key" } th { "Title" } th { "Severity" } th { "Status" } th { "Services" } th { "Post-mortem" } th { "Owner" } th { "Opened" } } }
                    tbody { @for s in &found { tr {
                        td { a href={ "/incidents/" (s.incident.key) } { (s.incident.key) } }
                        td { a href={ "/incidents/" (s.incident.key) } { (s.incident.title.as_str()) }
                             @if s.incident.private { " " span.badge.muted title="visible to its members and admins" { "private" } } }
                        td { span class={ "badge sev-" (s.incident.severity.level()) } { (s.incident.severity) } }
                        td { span class={ "badge st-" (s.status) } { (s.status) } }
                        td.small { (s.incident.services.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")) }
                        td { span class={ "badge pm-" (s.postmortem_status.as_str()) } { (s.postmortem_status.as_str().replace('_', " ")) } }
                        td.small { (s.owner.as_ref().map(|o| o.as_str()).unwrap_or("—")) }
                        td.small { (s.incident.created_at.format("%Y-%m-%d")) }
                    } } }
                } }
                div.pager {
                    @if list.before.is_some() { a href="/" { "← Newest" } } @else { span {} }
                    @if more { @if let Some(last) = found.last() {
                        a href={ "/?" (list.next_page(&last.incident.key.to_string())) } { "Older →" }
                    } }
                }
            }
        }
    };
    Ok(page("Incidents", &caller, body).into_response())
}

fn welcome(sample: &Option<String>, can_edit: bool) -> Markup {
    html! {
        section.card.welcome {
            h2 { "Learn from every incident, without blame" }
            p { "hindsight turns an incident into a blameless post-mortem: a timeline with evidence for each event, the time to detect, acknowledge, mitigate and resolve derived from it, the impact in exact numbers, contributing factors, and follow-up actions with owners and due dates. A readiness check says what is missing before the review." }
            ol {
                li { "Open an incident (or let a PagerDuty, Alertmanager or Opsgenie webhook open it)." }
                li { "Rebuild the timeline: type events, or import the chat channel and accept the proposed key events." }
                li { "Write the post-mortem section by section; the readiness check lists what is left." }
                li { "Move it through review to publication, and follow its actions to done." }
            }
            @if let Some(key) = sample {
                p { "Start by opening " a href={ "/incidents/" (key) } { (key) } @if can_edit { ", or open a new incident." } @else { "." } }
            }
        }
    }
}

fn filters(list: &ListQuery) -> Markup {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    html! {
        form.filters method="get" action="/" role="search" {
            label { "Title" input name="q" value=(value(&list.q)) placeholder="words in the title"; }
            label { "Status" select name="status" {
                option value="" { "any" }
                @for s in ["active", "mitigated", "resolved"] { option value=(s) selected[list.status.as_deref() == Some(s)] { (s) } }
            } }
            label { "Severity" select name="severity" {
                option value="" { "any" }
                @for level in 1..=5u8 { @if let Ok(s) = Severity::from_level(level) {
                    option value=(s) selected[list.severity.as_deref() == Some(&s.to_string())] { (s) }
                } }
            } }
            label { "Post-mortem" select name="postmortem_status" {
                option value="" { "any" }
                @for s in [PostmortemStatus::Draft, PostmortemStatus::InReview, PostmortemStatus::Reviewed, PostmortemStatus::Published, PostmortemStatus::Closed] {
                    option value=(s.as_str()) selected[list.postmortem_status.as_deref() == Some(s.as_str())] { (s.as_str().replace('_', " ")) }
                }
            } }
            label { "Service" input name="service" value=(value(&list.service)) size="14"; }
            label { "Owner" input name="owner" value=(value(&list.owner)) size="14"; }
            label { "Opened from" input type="date" name="from" value=(value(&list.from)); }
            label { "to" input type="date" name="to" value=(value(&list.to)); }
            button type="submit" { "Filter" }
            a href="/" { "Clear" }
        }
    }
}
