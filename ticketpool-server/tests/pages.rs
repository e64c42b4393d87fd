//! The frontend's pages and assets: served with their content types and a
//! Content-Security-Policy allowing only this origin, every asset the page
//! names is there, nothing outside is referenced, and the API's routes and
//! JSON 404s are untouched by the pages' routes.

mod support;

use support::{data_dir, TestServer};

/// GET `path`: status, content type, CSP and body.
async fn fetch(server: &TestServer, path: &str) -> (u16, String, String, String) {
    let response = server
        .client
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (kind, csp) = (header("content-type"), header("content-security-policy"));
    let status = response.status().as_u16();
    (status, kind, csp, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_are_served_with_a_self_only_policy() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (status, kind, csp, page) = fetch(&server, "/").await;
    assert_eq!(status, 200);
    assert_eq!(kind, "text/html; charset=utf-8");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");

    // Every script and stylesheet the page and the modules name.
    let mut assets: Vec<String> = page
        .split("/assets/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    let (_, _, _, app) = fetch(&server, "/assets/app.js").await;
    for module in app.split("from \"./").skip(1) {
        assets.push(module.split('"').next().unwrap().to_owned());
    }
    assert!(assets.len() >= 8, "{assets:?}");
    for asset in &assets {
        let (status, kind, csp, body) = fetch(&server, &format!("/assets/{asset}")).await;
        assert_eq!(status, 200, "{asset}");
        let expected = if asset.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else if asset.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/plain; charset=utf-8"
        };
        assert_eq!(kind, expected, "{asset}");
        assert!(csp.starts_with("default-src 'self'"), "{asset}");
        // Everything local: no other origin in a script or style.
        if asset.ends_with(".js") && !asset.starts_with("uPlot") {
            assert!(!body.contains("http://"), "{asset} names another origin");
            assert!(!body.contains("https://"), "{asset} names another origin");
        }
    }
    let (_, _, _, licence) = fetch(&server, "/assets/uPlot.LICENSE").await;
    assert!(licence.contains("MIT"), "{licence}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_shadow_no_api_route() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    server
        .get("/assets/nope.js", None)
        .await
        .assert_error(404, "unknown_asset");
    server
        .get("/assets/..%2Fopenapi.json", None)
        .await
        .assert_error(404, "unknown_asset");
    server
        .get("/api/nowhere", None)
        .await
        .assert_error(404, "unknown_route");
    server
        .get("/admin", None)
        .await
        .assert_error(404, "unknown_route");
    let health = server.get("/healthz", None).await;
    assert_eq!(health.body["status"], "ok");
    let doc = server.get("/openapi.json", None).await;
    assert_eq!(doc.body["openapi"], "3.1.0");
    let (status, kind, _, _) = fetch(&server, "/metrics").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/plain"), "{kind}");
    // The API's answers do not get the pages' headers.
    let (_, kind, csp, _) = fetch(&server, "/api/events").await;
    assert_eq!(kind, "application/json");
    assert_eq!(csp, "");
    let posted = server.post("/", None, serde_json::json!({})).await;
    posted.assert_error(405, "method_not_allowed");
    server.stop().await;
}
