//! The test harness: a running server and browser-like clients.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use futures::{SinkExt, StreamExt};
use reqwest::{cookie::CookieStore, header, StatusCode};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

use roomlink::{
    live::{ClientEvent, ServerEvent, Topic},
    context::Settings,
    store::Store,
};

/// A server on 127.0.0.1:<random port> with its own database (see
/// [`crate::database`]) and data folder.
pub struct TestServer {
    pub addr: SocketAddr,
    pub store: Store,
    /// The SQLite file, when the test runs on SQLite.
    pub db_path: Option<std::path::PathBuf>,
    pub settings: Settings,
    /// The server's hub, for tests that publish to topics directly.
    pub hub: std::sync::Arc<roomlink::live::hub::Hub>,
    /// The server's state, for tests that call its services directly.
    pub state: roomlink::context::AppState,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// A server whose settings `configure` may change (defaults: a fresh
    /// database and data folder in a temporary directory).
    pub async fn start_with(configure: impl FnOnce(&mut Settings)) -> TestServer {
        // A server's panics fail the run (scripts/test.sh reads the log);
        // the tests' own failed assertions are theirs to report.
        static PANIC_HOOK: std::sync::Once = std::sync::Once::new();
        PANIC_HOOK.call_once(|| {
            roomlink::server::panics::install(|info| info.location().is_none_or(|l| !l.file().starts_with("tests/integration/")))
        });
        let dir = tempfile::tempdir().unwrap();
        let listener = roomlink::server::listen(([127, 0, 0, 1], 0).into()).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut settings = Settings {
            address: addr,
            database_url: crate::test_database::fresh_database_url(dir.path()).await,
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        configure(&mut settings);
        let db_path = settings.database_url.strip_prefix("sqlite://").map(std::path::PathBuf::from);
        let options = leptos::config::LeptosOptions::builder()
            .output_name("roomlink")
            .site_root(dir.path().to_string_lossy().to_string())
            .site_addr(addr)
            .build();
        let (router, state) = roomlink::server::app_with_state(settings.clone(), options, roomlink::pages::site()).await.unwrap();
        tokio::spawn(roomlink::server::serve(listener, router, std::future::pending()));
        // The server's own store: the same pools, writer and session cache.
        let store = state.store.clone();
        TestServer { addr, store, db_path, settings, hub: state.hub.clone(), state, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A browser-like client: keeps cookies, sends this server's Origin.
    pub fn client(&self) -> Client {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        Client { http: http_client(&jar, self.addr, None), jar, base: self.url(""), addr: self.addr }
    }

    /// The id of a user, by name.
    pub async fn user_id(&self, username: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    /// A new client that signed up as `username` (password "correct horse"),
    /// logged in. Each person comes
    /// from an address of their own (127.1.x.y), as people do, so the
    /// per-address sign-up limit counts them apart.
    pub async fn user(&self, username: &str) -> Client {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let c = self.client().from_ip(std::net::IpAddr::from([127, 1, (n >> 8) as u8, (n & 0xff) as u8 + 1]));
        let r = c.call("sign_up", &[("username", username), ("password", "correct horse"), ("next", "")]).await;
        assert!(r.status().is_success(), "sign up {username}: {}", r.status());
        c
    }
}

/// A reqwest client as a browser at `server`'s pages: cookies from `jar`, the
/// server's Origin, redirects not followed; from `local` when given.
fn http_client(jar: &Arc<reqwest::cookie::Jar>, server: SocketAddr, local: Option<std::net::IpAddr>) -> reqwest::Client {
    let mut headers = header::HeaderMap::new();
    headers.insert(header::ORIGIN, format!("http://{server}").parse().unwrap());
    reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        // A request that never finishes fails its test, by name, instead of
        // holding up the whole run.
        .timeout(Duration::from_secs(60))
        .local_address(local)
        .build()
        .unwrap()
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    base: String,
    addr: SocketAddr,
}

impl Client {
    /// The same person (same cookies) talking to another node at `addr`.
    pub fn at(&self, addr: SocketAddr) -> Client {
        Client { http: http_client(&self.jar, addr, None), jar: self.jar.clone(), base: format!("http://{addr}"), addr }
    }

    /// The same person connecting from the local address `ip` (any
    /// 127.x.y.z), as someone on another machine would: rate limits count
    /// per address.
    /// `path` on this client's server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn from_ip(&self, ip: std::net::IpAddr) -> Client {
        Client { http: http_client(&self.jar, self.addr, Some(ip)), ..self.clone() }
    }

    /// Sets a cookie for this server, as a browser holding it would send it.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar.add_cookie_str(&format!("{name}={value}; Path=/"), &self.base.parse().unwrap());
    }

    /// The value of one of this client's cookies.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let header = self.jar.cookies(&self.base.parse().unwrap())?;
        header.to_str().unwrap().split("; ").find_map(|c| c.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    /// Calls a server function the way the hydrated page does.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}/api/{endpoint}", self.base)).form(form).send().await.unwrap()
    }

    /// Posts a form the way a browser without JavaScript does.
    pub async fn post_form(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, format!("{}/", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// GETs a page: (status, body).
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Calls a server function that returns JSON and decodes it.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, endpoint: &str, form: &[(&str, &str)]) -> T {
        let r = self.call(endpoint, form).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{endpoint}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}"))
    }

    /// Creates a room and returns its id.
    pub async fn create_room(&self, name: &str) -> i64 {
        let r = self.call("create_room", &[("name", name)]).await;
        assert!(r.status().is_success(), "create_room: {}", r.status());
        let location = r.headers()[header::LOCATION].to_str().unwrap().to_string();
        location.trim_start_matches("/rooms/").parse().unwrap()
    }

    /// Makes an invite link and returns its token.
    pub async fn invite(&self, room_id: i64) -> String {
        let link: roomlink::invites::InviteLink = self.json("create_invite", &[("room_id", &room_id.to_string())]).await;
        link.url.rsplit('/').next().unwrap().to_string()
    }

    /// Opens the live WebSocket with this client's session cookie.
    pub async fn live(&self) -> Live {
        self.live_from(&format!("http://{}", self.addr)).await.expect("live socket")
    }

    /// Opens the live WebSocket sending `origin`; Err(status) when refused.
    pub async fn live_from(&self, origin: &str) -> Result<Live, u16> {
        let url = format!("ws://{}/live", self.addr);
        let mut req = url.clone().into_client_request().unwrap();
        if let Some(cookie) = self.jar.cookies(&self.base.parse().unwrap()) {
            req.headers_mut().insert("cookie", cookie.to_str().unwrap().parse().unwrap());
        }
        req.headers_mut().insert("origin", origin.parse().unwrap());
        match tokio_tungstenite::connect_async(req).await {
            Ok((ws, _)) => Ok(Live { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
            Err(e) => panic!("websocket: {e}"),
        }
    }
}

/// The longest [`Live::drain`] waits for a quiet moment.
pub const DRAIN_MAX: Duration = Duration::from_secs(15);

/// A live connection speaking the JSON protocol.
pub struct Live {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Live {
    pub async fn send(&mut self, event: &ClientEvent) {
        self.ws.send(Message::text(serde_json::to_string(event).unwrap())).await.unwrap();
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_string())).await.unwrap();
    }

    /// The next frame as an event within `ms`, or `None`.
    async fn recv(&mut self, ms: u64) -> Option<ServerEvent> {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()?;
            if let Message::Text(text) = frame.expect("socket closed").expect("socket error") {
                return Some(serde_json::from_str(&text).unwrap());
            }
        }
    }

    /// The next server event of any kind; panics after 5 s of silence.
    pub async fn next_any(&mut self) -> ServerEvent {
        self.recv(5_000).await.expect("no event within 5 s")
    }

    /// `None` when no event of any kind arrives within `ms`.
    pub async fn quiet_any(&mut self, ms: u64) -> Option<ServerEvent> {
        self.recv(ms).await
    }

    /// The next server event that is not about presence or typing; panics
    /// after 5 s without one.
    pub async fn next(&mut self) -> ServerEvent {
        self.quiet_for(5_000).await.expect("no event within 5 s")
    }

    /// Sends a heartbeat and waits for its answer: the server has handled
    /// everything this tab sent before (it reads a socket's frames in order).
    /// Events before the answer are dropped. Panics after 5 s without it.
    pub async fn round_trip(&mut self) {
        self.send(&ClientEvent::Ping).await;
        while self.next_any().await != ServerEvent::Pong {}
    }

    /// `None` when nothing but presence, typing and heartbeat answers arrives within `ms`.
    pub async fn quiet_for(&mut self, ms: u64) -> Option<ServerEvent> {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now()).as_millis() as u64;
            match self.recv(left).await? {
                ServerEvent::Presence { .. } | ServerEvent::PresenceDiff { .. } | ServerEvent::TypingDiff { .. } | ServerEvent::Pong => {}
                event => return Some(event),
            }
        }
    }

    /// Subscribes and returns the first answer (`Subscribed` or a refusal).
    pub async fn subscribe(&mut self, topic: impl AsTopic, after_id: i64) -> ServerEvent {
        self.send(&ClientEvent::Subscribe { topic: topic.topic(), after_id }).await;
        self.next().await
    }

    pub async fn say(&mut self, topic: impl AsTopic, client_id: &str, body: &str) {
        self.send(&ClientEvent::Send { topic: topic.topic(), client_id: client_id.into(), body: body.into() }).await;
    }

    /// Closes the connection the way a browser closing a tab does.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// The code of the close frame the server sends within `ms` (skipping
    /// other frames); `None` when the socket just dropped or stayed open.
    pub async fn close_code(&mut self, ms: u64) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await.ok()?? {
                Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Reads and drops events until `quiet_ms` pass without one. Panics
    /// when they keep coming for [`DRAIN_MAX`]: a stream that never settles
    /// is a failure to report, not a wait without end.
    pub async fn drain(&mut self, quiet_ms: u64) {
        let deadline = tokio::time::Instant::now() + DRAIN_MAX;
        while let Some(event) = self.recv(quiet_ms).await {
            assert!(tokio::time::Instant::now() < deadline, "events kept coming for {DRAIN_MAX:?}; the last: {event:?}");
        }
    }

    /// True when the server closed the socket within 5 s (after any frames).
    pub async fn closed(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Waits for the next line of any kind (message or system line).
    pub async fn line(&mut self) -> roomlink::live::ChatMessage {
        match self.next().await {
            ServerEvent::Message { message } => message,
            other => panic!("expected a line, got {other:?}"),
        }
    }

    /// Waits for the next message (skipping system lines like "joined").
    pub async fn message(&mut self) -> roomlink::live::ChatMessage {
        loop {
            let line = self.line().await;
            if line.kind == roomlink::live::MessageKind::Text {
                return line;
            }
        }
    }
}

/// A room id or a topic, for the live helpers.
pub trait AsTopic {
    fn topic(self) -> Topic;
}

impl AsTopic for i64 {
    fn topic(self) -> Topic {
        Topic::Room(self)
    }
}

impl AsTopic for &Topic {
    fn topic(self) -> Topic {
        self.clone()
    }
}

/// On `s`: a room "Club" owned by ana, which bruno joined by link.
/// What a [`ServerEvent::PresenceDiff`] in `topic` says of `author`:
/// `Some(None)` came online, `Some(Some(ms))` went offline and was last seen
/// then; `None` when `e` is not such a diff or does not name them.
pub fn presence_of(e: &ServerEvent, topic: &roomlink::live::Topic, author: i64) -> Option<Option<i64>> {
    let ServerEvent::PresenceDiff { topic: t, joins, leaves } = e else { return None };
    if t != topic {
        return None;
    }
    if joins.contains(&author) {
        return Some(None);
    }
    leaves.iter().find(|l| l.author_id == author).map(|l| Some(l.last_seen_at))
}

pub async fn club(s: &TestServer) -> (Client, Client, i64) {
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let bruno = s.user("bruno").await;
    let joined = bruno.call("accept_invite", &[("token", &ana.invite(room).await)]).await;
    assert!(joined.status().is_success());
    (ana, bruno, room)
}
