//! Headless Chromium for the end-to-end tests, driven through chromedriver (fantoccini).
//!
//! The first browser test of a process installs what is missing (`scripts/install-browser-deps`:
//! Debian's chromium and chromium-driver, axe-core from npm into `target/axe-core/`), then
//! starts one chromedriver on a free port for the whole process. Every [`Browser`] is a
//! session of its own (own profile folder), so tests run in parallel, two browsers at a time.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element, wd::Capabilities};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A phone (390×844, as an iPhone 12–15) and a common laptop screen.
pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1366, 900);

/// Two cores: more browsers at once only makes each one slower.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// The cargo target folder (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
            }
        }
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

pub fn axe_script_path() -> PathBuf {
    target_dir().join("axe-core/node_modules/axe-core/axe.min.js")
}

/// The chromedriver of this process: its port, and the pipe whose closing (when the process
/// ends, however it ends) makes the small shell around it stop chromedriver.
struct Driver {
    port: u16,
    _child: Mutex<Child>,
    _lifeline: Mutex<ChildStdin>,
}

/// Installs what is missing and starts this process's chromedriver, once. Blocking: it runs
/// in the first test that needs a browser while the others wait for it.
fn ensure_browser() -> &'static Driver {
    static DRIVER: OnceLock<Driver> = OnceLock::new();
    DRIVER.get_or_init(|| {
        install_if_missing();
        let mut last_error = String::new();
        // A free port can be taken between our probe and chromedriver's bind: try a few.
        for _ in 0..3 {
            match start_driver() {
                Ok(driver) => return driver,
                Err(error) => last_error = error,
            }
        }
        panic!("chromedriver does not start: {last_error}");
    })
}

fn install_if_missing() {
    if Path::new(CHROMEDRIVER).exists()
        && Path::new(CHROMIUM).exists()
        && axe_script_path().exists()
    {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-browser-deps");
    eprintln!("browser tests: installing Chromium and axe-core ({script:?}), once…");
    let status = Command::new("bash")
        .arg(&script)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|error| panic!("{script:?} cannot run: {error}"));
    assert!(status.success(), "{script:?} failed ({status})");
    assert!(
        Path::new(CHROMEDRIVER).exists() && axe_script_path().exists(),
        "{script:?} ran but {CHROMEDRIVER} or {:?} is still missing",
        axe_script_path()
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn start_driver() -> Result<Driver, String> {
    let port = free_port();
    // `sh` keeps chromedriver until its standard input closes, which happens when this test
    // process exits for any reason: no chromedriver outlives the tests.
    let mut child = Command::new("sh")
        .args([
            "-c",
            r#""$0" --port="$1" --allowed-ips=127.0.0.1 >/dev/null 2>&1 & driver=$!
               cat >/dev/null
               kill "$driver" 2>/dev/null"#,
            CHROMEDRIVER,
            &port.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot run {CHROMEDRIVER}: {error}"))?;
    let lifeline = child.stdin.take().expect("a piped stdin");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(status) = http_get(port, "/status")
            && status.contains("\"ready\":true")
        {
            return Ok(Driver {
                port,
                _child: Mutex::new(child),
                _lifeline: Mutex::new(lifeline),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(lifeline);
    let _ = child.wait();
    Err(format!("no answer on port {port} within 20 s"))
}

/// A tiny blocking HTTP exchange with chromedriver (readiness, and closing a session from
/// `Drop`, where there is no runtime to lean on). chromedriver keeps the connection open
/// even when asked to close it, so the answer ends at its `Content-Length`.
fn http_request(port: u16, method: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|length| body.len() >= length) {
                break;
            }
        }
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

fn http_get(port: u16, path: &str) -> Option<String> {
    http_request(port, "GET", path)
}

/// One Chromium window (its own session and profile) of a given size.
pub struct Browser {
    client: Client,
    session: String,
    port: u16,
    closed: bool,
    _profile: tempfile::TempDir,
    _permit: SemaphorePermit<'static>,
}

/// A violation reported by axe-core.
#[derive(Debug, serde::Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    pub nodes: Vec<ViolationNode>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ViolationNode {
    pub target: Value,
    pub html: String,
    #[serde(rename = "failureSummary", default)]
    pub failure_summary: Option<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "[{}] {}: {} ({})",
            self.impact.as_deref().unwrap_or("?"),
            self.id,
            self.help,
            self.help_url
        )?;
        for node in &self.nodes {
            writeln!(f, "    at {}: {}", node.target, node.html)?;
            if let Some(summary) = &node.failure_summary {
                for line in summary.lines() {
                    writeln!(f, "        {line}")?;
                }
            }
        }
        Ok(())
    }
}

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
}).then(
  (results) => done({ violations: results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
  })) }),
  (error) => done({ error: String(error) }),
);
"#;

impl Browser {
    /// A new window of `width`×`height` CSS pixels.
    pub async fn open(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, true).await
    }

    pub async fn phone() -> Browser {
        Browser::open(PHONE.0, PHONE.1).await
    }

    pub async fn desktop() -> Browser {
        Browser::open(DESKTOP.0, DESKTOP.1).await
    }

    /// A phone-sized window with JavaScript turned off in the profile, to prove the pages
    /// work as plain forms and links. (WebDriver still drives it; axe cannot run in it.)
    pub async fn phone_without_javascript() -> Browser {
        Browser::launch(PHONE.0, PHONE.1, false).await
    }

    async fn launch(width: u32, height: u32, javascript: bool) -> Browser {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = tokio::task::spawn_blocking(|| ensure_browser().port)
            .await
            .expect("the browser set-up does not panic");
        let permit = BROWSERS.acquire().await.expect("the semaphore stays open");
        let profile = tempfile::Builder::new()
            .prefix("contato-chromium-")
            .tempdir()
            .expect("a profile folder");
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-proxy-server".into(),
            "--lang=pt-BR".into(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if !javascript {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        capabilities.insert("pageLoadStrategy".into(), json!("normal"));
        let client = ClientBuilder::rustls()
            .expect("a rustls connector")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("chromedriver opens a Chromium session");
        let session = client
            .session_id()
            .await
            .expect("a session id")
            .expect("a session id");
        let browser = Browser {
            client,
            session,
            port,
            closed: false,
            _profile: profile,
            _permit: permit,
        };
        // `--window-size` is the outer window, and Chromium keeps it at least 500 pixels wide:
        // the viewport itself is set through DevTools, as a phone when it is narrow.
        browser
            .client
            .issue_cmd(CdpCommand {
                cmd: "Emulation.setDeviceMetricsOverride",
                params: json!({
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": width < 600,
                }),
            })
            .await
            .expect("the viewport takes the asked size");
        browser
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session (and its Chromium). A browser dropped without it, as when a test
    /// fails, is closed from `Drop`.
    pub async fn close(mut self) {
        self.closed = true;
        let _ = self.client.clone().close().await;
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|error| panic!("the browser opens {url}: {error}"));
    }

    /// The current address's path and query, e.g. `/solicitar/recebida/…?token=…`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("a current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("the page has {css}: {error}"))
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("looking for {css}: {error}"))
    }

    pub async fn has(&self, css: &str) -> bool {
        !self.find_all(css).await.is_empty()
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .expect("an element's text")
    }

    /// The `value` property of a form field (what it holds now, not the HTML attribute).
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("a value")
            .unwrap_or_default()
    }

    /// Types `text` into an empty field.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("the field clears");
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("typing into {css}: {error}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("clicking {css}: {error}"));
    }

    /// Clicks the link or button whose visible text is exactly `text`, and waits for the
    /// page it leads to.
    pub async fn click_text(&self, text: &str) {
        let xpath =
            format!("//a[normalize-space(.)='{text}'] | //button[normalize-space(.)='{text}']");
        let target = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|error| panic!("the page has a link or button {text:?}: {error}"));
        self.click_and_wait(&target, text).await;
    }

    /// Clicks the link or button at `css` and waits for the page it leads to.
    pub async fn follow(&self, css: &str) {
        let target = self.find(css).await;
        self.click_and_wait(&target, css).await;
    }

    /// A click returns before the next page is there when the machine is busy: this waits
    /// until the old document is gone (its root element goes stale) and the new one is found.
    async fn click_and_wait(&self, target: &Element, what: &str) {
        let old_page = self.find("html").await;
        target
            .click()
            .await
            .unwrap_or_else(|error| panic!("clicking {what}: {error}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while old_page.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "clicking {what} leads to no new page within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("body"))
            .await
            .unwrap_or_else(|error| panic!("the page after clicking {what} loads: {error}"));
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("choosing {value} in {css}: {error}"));
    }

    /// Whether a checkbox or radio button is ticked.
    pub async fn is_selected(&self, css: &str) -> bool {
        self.find(css)
            .await
            .is_selected()
            .await
            .expect("a selectable field")
    }

    pub async fn title_starts_with(&self, prefix: &str) -> bool {
        self.client
            .title()
            .await
            .expect("a title")
            .starts_with(prefix)
    }

    /// Every violation axe-core finds on the current page with the WCAG 2.0/2.1 A and AA
    /// rules, whatever its impact.
    pub async fn axe_violations(&self, page_name: &str) -> Vec<Violation> {
        self.client
            .execute(axe_source(), vec![])
            .await
            .unwrap_or_else(|error| panic!("axe-core loads into {page_name}: {error}"));
        let answer = self
            .client
            .execute_async(AXE_RUN, vec![])
            .await
            .unwrap_or_else(|error| panic!("axe-core runs on {page_name}: {error}"));
        if let Some(error) = answer.get("error") {
            panic!("axe-core failed on {page_name}: {error}");
        }
        serde_json::from_value(answer["violations"].clone()).expect("axe-core's violations parse")
    }

    /// Runs axe-core on the current page and fails on any serious or critical violation;
    /// milder ones are printed and returned.
    pub async fn axe(&self, page_name: &str) -> Vec<Violation> {
        let violations = self.axe_violations(page_name).await;
        let (blocking, mild): (Vec<_>, Vec<_>) = violations
            .into_iter()
            .partition(|v| matches!(v.impact.as_deref(), Some("serious" | "critical")));
        for violation in &mild {
            eprintln!("axe, {page_name} (not blocking): {violation}");
        }
        assert!(
            blocking.is_empty(),
            "axe finds serious or critical accessibility problems on {page_name} ({}):\n{}",
            self.path().await,
            blocking
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        mild
    }

    /// Saves the whole page (beyond the window's height) as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let folder = target_dir().join("screenshots");
        std::fs::create_dir_all(&folder).expect("the screenshots folder");
        let answer = self
            .client
            .issue_cmd(CdpCommand {
                cmd: "Page.captureScreenshot",
                params: json!({ "format": "png", "captureBeyondViewport": true }),
            })
            .await
            .unwrap_or_else(|error| panic!("a screenshot of {name}: {error}"));
        let png = base64_decode(answer["data"].as_str().expect("the screenshot's data"));
        assert!(
            png.starts_with(b"\x89PNG"),
            "the screenshot {name} is a PNG"
        );
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot is saved");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.closed {
            // No runtime to await on here: end the session with a plain request, so that a
            // failed test does not leave its Chromium running.
            let _ = http_request(self.port, "DELETE", &format!("/session/{}", self.session));
        }
    }
}

/// axe.min.js, read once.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        std::fs::read_to_string(axe_script_path())
            .unwrap_or_else(|error| panic!("{:?} is readable: {error}", axe_script_path()))
    })
}

/// A DevTools command through chromedriver (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct CdpCommand {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (reqwest::Method, Option<String>) {
        (
            reqwest::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64 from chromedriver")
}

/// The check itself: axe-core is loaded, runs, and reports a real problem.
#[tokio::test]
async fn the_accessibility_check_finds_a_field_without_a_label() {
    let browser = Browser::phone().await;
    browser
        .goto(
            "data:text/html;charset=utf-8,<!DOCTYPE html><html lang='pt-BR'><title>Teste</title>\
             <main><h1>Teste</h1><form><input type='text' name='x'></form></main></html>",
        )
        .await;
    let violations = browser
        .axe_violations("a page with an unlabelled field")
        .await;
    let label = violations
        .iter()
        .find(|violation| violation.id == "label")
        .unwrap_or_else(|| panic!("axe reports the missing label: {violations:?}"));
    assert_eq!(label.impact.as_deref(), Some("critical"));
    assert!(label.to_string().contains("input"), "{label}");
    browser.close().await;
}
