//! Discovery against the real daemon: containers come, change and go, and
//! `/status` follows from the event stream.

use serde_json::Value;

use crate::helpers::{Replicas, docker, service, services, spawn_app, spawn_app_with};

#[actix_web::test]
async fn three_started_replicas_are_listed_running() {
    let replicas = Replicas::new("three");
    let app = spawn_app().await;

    for i in 1..=3 {
        replicas.start(&i.to_string(), &[]);
    }
    let status = app.wait_for_status(&replicas.app, "3 running", |s| s["summary"]["running"] == 3).await;

    assert_eq!(status["summary"]["total"], 3);
    assert_eq!(status["docker"]["connected"], true);
    assert!(status["docker"]["lastSyncAt"].is_string());
    let names: Vec<&str> = services(&status).iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, [replicas.name("1"), replicas.name("2"), replicas.name("3")], "sorted by name");
    for s in services(&status) {
        assert_eq!(s["appName"], replicas.app.as_str());
        assert_eq!(s["id"].as_str().unwrap().len(), 12);
        assert_eq!(s["state"], "running");
        assert!(s["startedAt"].is_string());
        assert!(s["uptimeSeconds"].as_i64().unwrap() >= 0);
        assert_eq!(s["restartCount"], 0);
        assert_eq!(s["exitCode"], Value::Null);
    }
}

#[actix_web::test]
async fn containers_that_existed_before_start_are_listed_stopped_ones_too() {
    let replicas = Replicas::new("before");
    replicas.start("up", &[]);
    replicas.start("down", &["--env", "EXIT_CODE=9"]);
    docker(&["stop", "--time", "5", &replicas.name("down")]);

    let app = spawn_app().await;
    let status = app.get_json(&format!("/status?appName={}", replicas.app)).await;

    assert_eq!(status["summary"]["total"], 2);
    assert_eq!(service(&status, &replicas.name("up")).unwrap()["state"], "running");
    let down = service(&status, &replicas.name("down")).unwrap();
    assert_eq!(down["state"], "exited");
    assert_eq!(down["exitCode"], 9);
}

#[actix_web::test]
async fn a_stopped_replica_shows_exited_with_its_exit_code() {
    let replicas = Replicas::new("stop");
    let app = spawn_app().await;
    replicas.start("a", &["--env", "EXIT_CODE=42"]);
    replicas.start("b", &[]);
    app.wait_for_status(&replicas.app, "2 running", |s| s["summary"]["running"] == 2).await;

    docker(&["stop", "--time", "5", &replicas.name("a")]);
    let status = app
        .wait_for_status(&replicas.app, "a exited", |s| {
            service(s, &replicas.name("a")).is_some_and(|a| a["state"] == "exited")
        })
        .await;

    let a = service(&status, &replicas.name("a")).unwrap();
    assert_eq!(a["exitCode"], 42);
    assert_eq!(a["uptimeSeconds"], Value::Null);
    assert!(a["finishedAt"].is_string());
    assert_eq!(service(&status, &replicas.name("b")).unwrap()["state"], "running");
    assert_eq!(status["summary"]["running"], 1);
    assert_eq!(status["summary"]["total"], 2, "an exited replica is shown, not dropped");
}

#[actix_web::test]
async fn a_killed_replica_shows_exited_137() {
    let replicas = Replicas::new("kill");
    let app = spawn_app().await;
    replicas.start("a", &[]);
    app.wait_for_status(&replicas.app, "running", |s| s["summary"]["running"] == 1).await;

    docker(&["kill", &replicas.name("a")]);
    let status = app.wait_for_status(&replicas.app, "exited", |s| s["services"][0]["state"] == "exited").await;

    assert_eq!(status["services"][0]["exitCode"], 137);
}

#[actix_web::test]
async fn pause_and_unpause_are_followed() {
    let replicas = Replicas::new("pause");
    let app = spawn_app().await;
    replicas.start("a", &[]);
    app.wait_for_status(&replicas.app, "running", |s| s["services"][0]["state"] == "running").await;

    docker(&["pause", &replicas.name("a")]);
    let paused = app.wait_for_status(&replicas.app, "paused", |s| s["services"][0]["state"] == "paused").await;
    assert_eq!(paused["summary"]["running"], 0);
    docker(&["unpause", &replicas.name("a")]);
    app.wait_for_status(&replicas.app, "running again", |s| s["services"][0]["state"] == "running").await;
}

#[actix_web::test]
async fn a_removed_replica_disappears() {
    let replicas = Replicas::new("remove");
    let app = spawn_app().await;
    replicas.start("a", &[]);
    replicas.start("b", &[]);
    app.wait_for_status(&replicas.app, "2 running", |s| s["summary"]["running"] == 2).await;

    docker(&["rm", "--force", &replicas.name("a")]);
    let status = app.wait_for_status(&replicas.app, "a gone", |s| s["summary"]["total"] == 1).await;

    assert!(service(&status, &replicas.name("a")).is_none());
    assert!(service(&status, &replicas.name("b")).is_some());
}

#[actix_web::test]
async fn health_checks_show_healthy_and_unhealthy() {
    let replicas = Replicas::new("health");
    let app = spawn_app().await;
    replicas.start("good", &[]);
    replicas.start("bad", &["--env", "HEALTHY=0"]);

    let status = app
        .wait_for_status(&replicas.app, "health verdicts", |s| {
            let health = |n: &str| service(s, &replicas.name(n)).map(|r| r["health"].clone());
            health("good") == Some("healthy".into()) && health("bad") == Some("unhealthy".into())
        })
        .await;

    assert_eq!(status["summary"]["running"], 2);
    assert_eq!(status["summary"]["healthy"], 1);
}

#[actix_web::test]
async fn containers_without_the_label_are_never_listed() {
    let replicas = Replicas::new("unlabelled");
    let app = spawn_app().await;
    replicas.start("labelled", &[]);
    let stranger = replicas.start_unlabelled("stranger");
    app.wait_for_status(&replicas.app, "labelled one", |s| s["summary"]["running"] == 1).await;

    let everything = app.get_json("/status").await;

    assert!(services(&everything).iter().all(|s| s["name"] != replicas.name("stranger")));
    assert_eq!(app.get(&format!("/status?id={stranger}")).await.status(), 404);
}

#[actix_web::test]
async fn id_selects_one_replica_by_full_id_short_id_or_name() {
    let replicas = Replicas::new("select");
    let app = spawn_app().await;
    let full = replicas.start("a", &[]);
    replicas.start("b", &[]);
    app.wait_for_status(&replicas.app, "2 running", |s| s["summary"]["total"] == 2).await;

    for reference in [full.clone(), full[..12].to_owned(), replicas.name("a")] {
        let one = app.get_json(&format!("/status?appName={}&id={reference}", replicas.app)).await;
        assert_eq!(services(&one).len(), 1, "{reference}");
        assert_eq!(one["services"][0]["id"], &full[..12]);
        assert_eq!(one["summary"]["total"], 1);
    }
}

#[actix_web::test]
async fn environment_variables_never_appear_in_any_response() {
    let replicas = Replicas::new("secret");
    let app = spawn_app().await;
    let secret = format!("s3cr3t-{}", replicas.app);
    replicas.start("a", &["--env", &format!("API_TOKEN={secret}"), "--label", "team=payments"]);
    app.wait_for_status(&replicas.app, "running", |s| s["summary"]["running"] == 1).await;

    for path in [
        "/status".to_owned(),
        format!("/status?appName={}", replicas.app),
        format!("/status?id={}", replicas.name("a")),
    ] {
        let text = app.get(&path).await.text().await.unwrap();
        assert!(!text.contains(&secret), "{path} leaks the environment");
        assert!(!text.contains("API_TOKEN"), "{path} leaks the environment");
        assert!(!text.contains("payments"), "{path} shows a label not on the allow-list");
    }
}

#[actix_web::test]
async fn the_label_key_is_configurable() {
    let replicas = Replicas::new("labelkey");
    let app = spawn_app_with(&[("STATUS_LABEL", "statussvc.test.unlabelled")]).await;
    replicas.start_unlabelled("x");

    let status = app.wait_for_status(&replicas.app, "listed under the other key", |s| s["summary"]["total"] == 1).await;

    assert_eq!(status["services"][0]["name"], replicas.name("x"));
}

#[actix_web::test]
async fn a_scope_keeps_other_projects_out() {
    // Two compose projects on one daemon, same app label: each statussvc sees
    // only its own, at the first list and from events alike.
    let replicas = Replicas::new("scope");
    let ours = "com.docker.compose.project=statussvc-test-ours";
    let theirs = "com.docker.compose.project=statussvc-test-theirs";
    replicas.start("before-ours", &["--label", ours]);
    replicas.start("before-theirs", &["--label", theirs]);
    let app = spawn_app_with(&[("STATUS_SCOPE", ours)]).await;
    app.wait_for_status(&replicas.app, "the first list", |s| s["summary"]["total"] == 1).await;

    replicas.start("after-theirs", &["--label", theirs]);
    replicas.start("after-ours", &["--label", ours]);
    let status = app.wait_for_status(&replicas.app, "the events", |s| s["summary"]["total"] == 2).await;

    let mut names: Vec<&str> = services(&status).iter().map(|r| r["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, [replicas.name("after-ours"), replicas.name("before-ours")]);
    let unavailable = app.get(&format!("/unavailable/{}", replicas.app)).await.json::<Value>().await.unwrap();
    assert_eq!(unavailable["replicas"]["total"], 2, "the no-replica answer counts only ours: {unavailable}");
}

#[actix_web::test]
async fn metrics_report_per_app_gauges_and_docker_counters() {
    let replicas = Replicas::new("metrics");
    let app = spawn_app().await;
    replicas.start("a", &[]);
    replicas.start("b", &["--env", "HEALTHY=0"]);
    app.wait_for_status(&replicas.app, "verdicts", |s| {
        services(s).iter().filter(|r| r["health"] != "starting").count() == 2
    })
    .await;

    let text = app.get("/metrics").await.text().await.unwrap();
    let value = |metric: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{metric}{{app=\"{}\"}}", replicas.app)))
            .map(|l| l.rsplit(' ').next().unwrap().to_owned())
    };

    assert_eq!(value("statussvc_replicas").as_deref(), Some("2"), "{text}");
    assert_eq!(value("statussvc_replicas_running").as_deref(), Some("2"));
    assert_eq!(value("statussvc_replicas_healthy").as_deref(), Some("1"));
    assert!(text.contains("statussvc_docker_connected 1"));
    assert!(text.lines().any(|l| l.starts_with("statussvc_docker_events_total ") && !l.ends_with(" 0")));
}
