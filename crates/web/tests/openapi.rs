//! The OpenAPI document as served at `/api/openapi.json`: a snapshot of the whole of it, so any
//! change to the API's contract is seen in review, and the checks a client generator relies on.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::TestApp;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn served_document() -> Value {
    let app = TestApp::spawn().await;
    let answer = app
        .anonymous()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(answer.status(), 200, "the document is public");
    assert_eq!(answer.headers()["content-type"], "application/json");
    let document = answer.json().await.expect("the document is JSON");
    app.stop().await;
    document
}

/// Every operation of the document, as (method, path, operation).
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if METHODS.contains(&method.as_str()) {
                found.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// Every `$ref` anywhere in `value`, with where it was found.
fn refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(target)) => found.push((at.to_owned(), target.clone())),
                    _ => refs(v, &format!("{at}/{k}"), found),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_is_the_one_reviewed() {
    let document = served_document().await;
    insta::assert_json_snapshot!("openapi", document);
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3_1_and_every_reference_resolves() {
    let document = served_document().await;
    let version = document["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3.1."), "openapi is {version}");
    assert!(document["info"]["title"].is_string() && document["info"]["version"].is_string());

    let mut found = Vec::new();
    refs(&document, "#", &mut found);
    assert!(
        found.len() > 20,
        "the document uses references: {}",
        found.len()
    );
    let broken: Vec<_> = found
        .iter()
        .filter(|(_, target)| {
            target
                .strip_prefix('#')
                .is_none_or(|pointer| document.pointer(pointer).is_none())
        })
        .collect();
    assert!(
        broken.is_empty(),
        "references that lead nowhere: {broken:#?}"
    );
}

#[tokio::test]
async fn every_operation_has_answers_path_parameters_and_a_unique_id() {
    let document = served_document().await;
    let operations = operations(&document);
    assert!(operations.len() >= 26, "{} operations", operations.len());
    let mut ids = BTreeSet::new();
    let schemes: BTreeSet<&String> = document["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes")
        .keys()
        .collect();
    for (method, path, operation) in &operations {
        let here = format!("{} {path}", method.to_uppercase());
        assert!(path.starts_with("/api/v1/"), "{here} is under /api/v1");
        let responses = operation["responses"].as_object();
        assert!(
            responses.is_some_and(|r| !r.is_empty()),
            "{here} has no responses"
        );
        for (status, response) in responses.unwrap() {
            assert!(
                status.len() == 3 && status.parse::<u16>().is_ok_and(|s| (100..600).contains(&s)),
                "{here}: {status} is not a status"
            );
            assert!(
                response["description"].is_string() || response["$ref"].is_string(),
                "{here} {status} has no description"
            );
        }
        assert!(
            responses.unwrap().keys().any(|s| s.starts_with('2')),
            "{here} says what success looks like"
        );
        let id = operation["operationId"].as_str().expect("an operationId");
        assert!(
            ids.insert(id.to_owned()),
            "{here}: operationId {id} is used twice"
        );
        assert!(
            operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{here} has a tag"
        );

        // Each `{name}` of the path is declared, and nothing else is declared in the path.
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        let declared: BTreeSet<String> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                assert_eq!(p["required"], true, "{here}: path parameters are required");
                p["name"].as_str().expect("a name").to_owned()
            })
            .collect();
        assert_eq!(in_path, declared, "{here}: path parameters");
        if let Some(body) = operation.get("requestBody") {
            assert!(
                body["content"].as_object().is_some_and(|c| !c.is_empty()),
                "{here}: a request body says its media type"
            );
        }
        for requirement in operation["security"]
            .as_array()
            .or(document["security"].as_array())
            .into_iter()
            .flatten()
        {
            for scheme in requirement.as_object().expect("a requirement").keys() {
                assert!(
                    schemes.contains(scheme),
                    "{here}: unknown security scheme {scheme}"
                );
            }
        }
    }
    let tags: BTreeSet<&str> = document["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for (method, path, operation) in &operations {
        for tag in operation["tags"].as_array().unwrap() {
            assert!(
                tags.contains(tag.as_str().unwrap()),
                "{method} {path}: tag {tag} is not described"
            );
        }
    }
}
