//! A scripted HTTP server on 127.0.0.1 for the Cloud client: each request
//! gets the next reply; every request is recorded (method, path, headers,
//! body). Every wait is bounded, so a broken client cannot hang a test.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(body: serde_json::Value) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Location".into(), location.into())],
            body: String::new(),
        }
    }
}

pub struct Server {
    pub url: String,
    pub addr: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `replies` in order, one request each, then stops.
    pub fn start(replies: Vec<Reply>) -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = server
            .server_addr()
            .to_ip()
            .expect("an IP address")
            .to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for reply in replies {
                    let Ok(Some(mut request)) = server.recv_timeout(Duration::from_secs(10)) else {
                        return;
                    };
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    seen.lock().unwrap().push(Seen {
                        method: request.method().as_str().to_owned(),
                        path: request.url().to_owned(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| {
                                (
                                    h.field.as_str().as_str().to_owned(),
                                    h.value.as_str().to_owned(),
                                )
                            })
                            .collect(),
                        body,
                    });
                    let mut response =
                        tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
                    for (name, value) in &reply.headers {
                        response.add_header(
                            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                                .unwrap(),
                        );
                    }
                    let _ = request.respond(response);
                }
            })
        };
        Server {
            url: format!("http://{addr}/graphql"),
            addr,
            seen,
            thread: Some(thread),
        }
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The thread ends after its replies or its 10 s wait; do not block on it.
        drop(self.thread.take());
    }
}
