//! Team templates as files: a documented TOML format for a post-mortem template.
//!
//! ```toml
//! name = "azure"                      # what --template names; letters, digits, - and _
//! title = "Azure post-incident review"
//! description = "Where it comes from and when to use it."   # optional
//!
//! [[sections]]
//! id = "summary"                      # unique; letters, digits, - and _
//! title = "Summary of impact"
//! help = "What to write here."        # optional
//! required = true                     # optional, default false
//! content = "narrative"               # optional, default narrative; see below
//! level = 2                           # optional heading level 2 to 4, default 2
//! starting_text = "Between {{started_at}} and {{resolved_at}}, …"   # optional
//! ```
//!
//! `content` is one of narrative, contributing_factors, impact, figures, timeline, key_points,
//! responders, howd_we_do, went_well, went_wrong, got_lucky, lessons, action_items, questions,
//! communication, supporting_information. Starting text is Markdown whose `{{placeholders}}`
//! are filled from the incident; `hindsight template placeholders` lists them.

use hindsight_core::{
    SectionContent, Template, TemplateSection,
    template::{PLACEHOLDERS, placeholders_in},
};
use serde::Deserialize;

/// Why a template file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateFileError(pub String);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sections: Vec<Section>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    id: String,
    title: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    required: bool,
    #[serde(default = "narrative")]
    content: SectionContent,
    #[serde(default = "level_two")]
    level: u8,
    starting_text: Option<String>,
}

fn narrative() -> SectionContent {
    SectionContent::Narrative
}

fn level_two() -> u8 {
    2
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads a template file.
pub fn parse(text: &str) -> Result<Template, TemplateFileError> {
    let file: File = toml::from_str(text).map_err(|e| TemplateFileError(e.to_string()))?;
    let refuse = |message: String| Err(TemplateFileError(message));
    if !is_slug(&file.name) {
        return refuse(format!(
            "name `{}` must be letters, digits, - and _ only, like `azure` or `team-review`",
            file.name
        ));
    }
    if file.title.trim().is_empty() {
        return refuse("title is empty".into());
    }
    if file.sections.is_empty() {
        return refuse("a template needs at least one [[sections]] entry".into());
    }
    let mut sections: Vec<TemplateSection> = Vec::with_capacity(file.sections.len());
    for (i, section) in file.sections.into_iter().enumerate() {
        let at = format!("section {} (`{}`)", i + 1, section.id);
        if !is_slug(&section.id) {
            return refuse(format!(
                "{at}: id must be letters, digits, - and _ only, like `summary`"
            ));
        }
        if sections.iter().any(|s| s.id == section.id) {
            return refuse(format!("{at}: another section already has this id"));
        }
        if section.title.trim().is_empty() {
            return refuse(format!("{at}: title is empty"));
        }
        if !(2..=4).contains(&section.level) {
            return refuse(format!(
                "{at}: level {} is not a section heading: expected 2, 3 or 4",
                section.level
            ));
        }
        if let Some(text) = &section.starting_text {
            let names =
                placeholders_in(text).map_err(|e| TemplateFileError(format!("{at}: {e}")))?;
            if let Some(unknown) = names
                .iter()
                .find(|name| !PLACEHOLDERS.iter().any(|(known, _)| known == *name))
            {
                return refuse(format!(
                    "{at}: unknown placeholder `{{{{{unknown}}}}}`: expected one of {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        sections.push(TemplateSection {
            id: section.id,
            title: section.title.trim().to_owned(),
            help: section.help.trim().to_owned(),
            required: section.required,
            content: section.content,
            level: section.level,
            starting_text: section.starting_text,
        });
    }
    Ok(Template {
        name: file.name,
        title: file.title.trim().to_owned(),
        description: file.description.trim().to_owned(),
        sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let actual = match parse(text) {
            Ok(t) => format!(
                "{}: {}",
                t.name,
                t.sections
                    .iter()
                    .map(|s| format!(
                        "{}/{:?}/{}{}",
                        s.id,
                        s.content,
                        s.level,
                        if s.required { "!" } else { "" }
                    ))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(actual.trim(), expected.trim());
    }

    #[test]
    fn a_small_template_reads_with_its_defaults() {
        check(
            r#"
            name = "mini"
            title = "Mini"
            [[sections]]
            id = "summary"
            title = "Summary"
            required = true
            [[sections]]
            id = "when"
            title = "When"
            content = "figures"
            level = 3
            starting_text = "From {{started_at}} to {{ resolved_at }}."
            "#,
            "mini: summary/Narrative/2! when/Figures/3",
        );
    }

    #[test]
    fn mistakes_say_which_section_and_what_was_expected() {
        let base = "name = \"t\"\ntitle = \"T\"\n[[sections]]\nid = \"a\"\ntitle = \"A\"\n";
        check(
            &format!("{base}starting_text = \"{{{{titel}}}}\"\n"),
            "error: section 1 (`a`): unknown placeholder `{{titel}}`: expected one of key, title, severity, status, services, commander, owner, responders, date, started_at, detected_at, mitigated_at, resolved_at, impact_duration, time_to_detect, time_to_acknowledge, time_to_mitigate, time_to_resolve, meeting_deadline",
        );
        check(
            &format!("{base}level = 5\n"),
            "error: section 1 (`a`): level 5 is not a section heading: expected 2, 3 or 4",
        );
        check(
            &format!("{base}[[sections]]\nid = \"a\"\ntitle = \"Again\"\n"),
            "error: section 2 (`a`): another section already has this id",
        );
        check(
            "name = \"bad name\"\ntitle = \"T\"\n",
            "error: name `bad name` must be letters, digits, - and _ only, like `azure` or `team-review`",
        );
        check(
            "name = \"t\"\ntitle = \"T\"\n",
            "error: a template needs at least one [[sections]] entry",
        );
        let unknown = parse(&format!("{base}content = \"poem\"\n"))
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("line 6") && unknown.contains("unknown variant `poem`"),
            "{unknown}"
        );
        let typo = parse(&format!("{base}requird = true\n"))
            .unwrap_err()
            .to_string();
        assert!(typo.contains("unknown field `requird`"), "{typo}");
    }

    #[test]
    fn the_built_in_templates_survive_the_file_format() {
        for template in Template::built_in() {
            let mut text = format!(
                "name = {:?}\ntitle = {:?}\ndescription = {:?}\n",
                template.name, template.title, template.description
            );
            for s in &template.sections {
                let content = serde_json_free_name(s.content);
                text.push_str(&format!(
                    "[[sections]]\nid = {:?}\ntitle = {:?}\nhelp = {:?}\nrequired = {}\ncontent = {:?}\nlevel = {}\n",
                    s.id, s.title, s.help, s.required, content, s.level
                ));
            }
            assert_eq!(parse(&text).unwrap(), template);
        }
    }

    /// The snake_case name of a content kind, as the file format spells it.
    fn serde_json_free_name(content: SectionContent) -> String {
        #[derive(serde::Deserialize)]
        struct Probe {
            content: SectionContent,
        }
        let names = [
            "narrative",
            "contributing_factors",
            "impact",
            "figures",
            "timeline",
            "key_points",
            "responders",
            "howd_we_do",
            "went_well",
            "went_wrong",
            "got_lucky",
            "lessons",
            "action_items",
            "questions",
            "communication",
            "supporting_information",
        ];
        names
            .iter()
            .find(|name| {
                toml::from_str::<Probe>(&format!("content = {name:?}"))
                    .map(|p| p.content == content)
                    .unwrap_or(false)
            })
            .map(|n| (*n).to_owned())
            .unwrap_or_default()
    }
}
