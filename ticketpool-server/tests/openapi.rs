//! `/openapi.json` lists every route the router has, with its methods,
//! and nothing the router lacks.

mod support;

use std::collections::BTreeSet;

use reqwest::StatusCode;
use support::{data_dir, TestServer};

/// Every (method, path) in the route files' `.route("PATH", get(..).post(..))`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes");
    let mut routes = BTreeSet::new();
    for file in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for call in text.split(".route(").skip(1) {
            // The call's arguments: up to the parenthesis that closes it.
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|&(_, c)| {
                    depth += i32::from(c == '(') - i32::from(c == ')');
                    depth == 0
                })
                .unwrap()
                .0;
            let args = &call[..end];
            let path = args.split('"').nth(1).unwrap().to_owned();
            for method in ["get", "post", "put", "patch", "delete"] {
                if args.contains(&format!("{method}(")) {
                    routes.insert((method.to_owned(), path.clone()));
                }
            }
        }
    }
    routes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_openapi_document() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let doc = server.get("/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc.body["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let routed = routes_in_source();
    assert!(routed.len() >= 20, "the source scan found {routed:?}");
    assert_eq!(documented, routed);
    server.stop().await;
}
