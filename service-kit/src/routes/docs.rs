//! Development only: `/openapi.json` and Swagger UI at `/swagger/`.
//!
//! Both work behind the gateway's path prefix (`/storagesvc`, `/statussvc`):
//! Swagger UI loads the document by a *relative* URL, and the document's
//! `servers` entry is the prefix the gateway stripped (its
//! `X-Forwarded-Prefix`), so "Try it out" goes back through the same route.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use utoipa::openapi::{OpenApi, Server};
use utoipa_swagger_ui::{Config, SwaggerUi};

pub(super) fn configure(cfg: &mut web::ServiceConfig, doc: OpenApi) {
    cfg.app_data(web::Data::new(doc))
        .route("/openapi.json", web::get().to(openapi_json))
        // `/swagger` → `swagger/`: relative, so it stays under any prefix.
        .route(
            "/swagger",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "swagger/")).finish()
            }),
        )
        .service(SwaggerUi::new("/swagger/{_:.*}").config(Config::new(["../openapi.json"])));
}

async fn openapi_json(req: HttpRequest, doc: web::Data<OpenApi>) -> HttpResponse {
    let mut doc = doc.as_ref().clone();
    let prefix = req
        .headers()
        .get("x-forwarded-prefix")
        .and_then(|v| v.to_str().ok())
        .filter(|p| p.starts_with('/') && !p.contains(['?', '#']))
        .unwrap_or("/");
    doc.servers = Some(vec![Server::new(prefix)]);
    HttpResponse::Ok().json(doc)
}
