//! A real SMTP server on loopback for the tests (mailin-embedded, in this process): it
//! keeps every message it accepts, and can refuse chosen addresses as a server would.

use std::{
    collections::HashSet,
    net::{IpAddr, TcpListener},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use mailin_embedded::{Handler, Server, SslConfig, response};

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parseable message")
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    refused: Mutex<HashSet<String>>,
    /// Time taken to accept each message, to catch a worker in the middle of a batch.
    delay: Mutex<Duration>,
}

#[derive(Clone)]
struct Session {
    shared: Arc<Shared>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Session {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> mailin_embedded::Response {
        response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> mailin_embedded::Response {
        self.to.clear();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        let refused = self
            .shared
            .refused
            .lock()
            .unwrap()
            .contains(&to.to_lowercase());
        if refused {
            return response::NO_MAILBOX;
        }
        self.to.push(to.to_string());
        response::OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> mailin_embedded::Response {
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let delay = *self.shared.delay.lock().unwrap();
        std::thread::sleep(delay);
        self.shared.received.lock().unwrap().push(Received {
            to: self.to.clone(),
            data: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
}

impl SmtpServer {
    /// Listening on a free port of 127.0.0.1.
    pub fn start() -> SmtpServer {
        Self::serve(TcpListener::bind("127.0.0.1:0").expect("a free port"))
    }

    /// Listening on `port` (one left unanswered until now, to play a server coming back).
    pub fn start_on(port: u16) -> SmtpServer {
        Self::serve(TcpListener::bind(("127.0.0.1", port)).expect("the port is free again"))
    }

    /// A port nothing listens on: connections are refused, as with a server that is down.
    pub fn unused_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address").port()
    }

    fn serve(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().expect("an address").port();
        let shared = Arc::new(Shared::default());
        let handler = Session {
            shared: shared.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(handler);
            server
                .with_name("smtp.test")
                .with_ssl(SslConfig::None)
                .expect("no TLS")
                // Blocking, one thread per connection: room for two workers' pools and more.
                .with_num_threads(64)
                .with_tcp_listener(listener);
            // Runs until the test process ends.
            let _ = server.serve();
        });
        SmtpServer { port, shared }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn slow_down(&self, per_message: Duration) {
        *self.shared.delay.lock().unwrap() = per_message;
    }

    pub fn refuse(&self, address: &str) {
        self.shared
            .refused
            .lock()
            .unwrap()
            .insert(address.to_lowercase());
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` messages arrived (or fails after `timeout`).
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} messages, got {} within {timeout:?}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
