//! Benchmark baseline: the least an actix-web server can do for one GET.
//!
//! `bench/storagesvc.py` runs this beside storagesvc, with the same worker count
//! and a constant body of the same size as the record it fetches, so the ratio
//! of their requests/s is the cost of everything storagesvc adds (routing, lookup,
//! ETag, `X-Served-By`, metrics).
//!
//! `SAME_HEADERS=1` adds the two headers storagesvc must send (a strong `ETag`
//! and `X-Served-By`), to show how much of the gap is the bytes on the wire.
//!
//! Usage: `PORT=9000 BODY_BYTES=399 WORKERS=1 [SAME_HEADERS=1] bench_baseline`

use actix_web::{App, HttpResponse, HttpServer, web};

fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = var("PORT", 9000);
    let workers: usize = var("WORKERS", 1);
    let body = web::Bytes::from(vec![b'x'; var("BODY_BYTES", 400)]);
    let same_headers = var("SAME_HEADERS", 0) == 1;
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move {
                let mut response = HttpResponse::Ok();
                response.content_type("application/json");
                if same_headers {
                    response
                        .insert_header(("ETag", "\"0123456789abcdef0123456789abcdef\""))
                        .insert_header(("X-Served-By", "0123456789ab"));
                }
                response.body(body)
            }
        }))
    })
    .workers(workers)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
