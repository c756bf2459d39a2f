//! What scenarios need on the Roomlink side, made through the same HTTP
//! endpoints the pages call: instant chats started and joined by guests,
//! users signed up, rooms, invite links made and accepted. Each helper
//! takes the loopback address to speak from, so per-address rate limits
//! see many people, as in production.

use std::net::{IpAddr, SocketAddr};

use reqwest::{header, Client, Response};

use roomlink::invites::InviteLink;

/// A person as the server knows them: the `Cookie` header their browser sends.
#[derive(Debug, Clone, Default)]
pub struct Cookies(pub String);

impl Cookies {
    /// Adds the cookies a response sets (name=value only).
    fn take(&mut self, response: &Response) {
        for set in response.headers().get_all(header::SET_COOKIE) {
            let Some(pair) = set.to_str().ok().and_then(|v| v.split(';').next()) else { continue };
            if !self.0.is_empty() {
                self.0.push_str("; ");
            }
            self.0.push_str(pair.trim());
        }
    }
}

/// A client speaking from `source` to `server` as a same-site page would
/// (its `Origin`), following no redirects.
pub fn client(server: SocketAddr, source: IpAddr) -> Result<Client, String> {
    let mut headers = header::HeaderMap::new();
    let origin = header::HeaderValue::from_str(&format!("http://{server}")).map_err(|e| e.to_string())?;
    headers.insert(header::ORIGIN, origin);
    Client::builder()
        .local_address(source)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| e.to_string())
}

/// Calls server function `endpoint` with a form, as `who`; returns the
/// response when the call succeeded (2xx or a redirect), with `who`'s new cookies taken.
/// Errors: the status and body.
async fn call(http: &Client, server: SocketAddr, who: &mut Cookies, endpoint: &str, form: &[(&str, &str)]) -> Result<Response, String> {
    let mut request = http.post(format!("http://{server}/api/{endpoint}")).form(form);
    if !who.0.is_empty() {
        request = request.header(header::COOKIE, who.0.clone());
    }
    let response = request.send().await.map_err(|e| format!("{endpoint}: {e}"))?;
    let status = response.status();
    if !(status.is_success() || status.is_redirection()) {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("{endpoint}: {status} {body}"));
    }
    who.take(&response);
    Ok(response)
}

fn location(response: &Response) -> Result<String, String> {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| "no Location in the answer".into())
}

/// Starts an instant chat without history; returns its id and the host's cookies.
pub async fn start_chat(http: &Client, server: SocketAddr, title: &str) -> Result<(String, Cookies), String> {
    let mut host = Cookies::default();
    let response = call(http, server, &mut host, "start_instant_chat", &[("title", title), ("name", "host")]).await?;
    let id = location(&response)?.trim_start_matches("/instant-chat/").to_string();
    Ok((id, host))
}

/// Joins chat `id` as guest `name`; returns the guest's cookies.
pub async fn join_chat(http: &Client, server: SocketAddr, id: &str, name: &str) -> Result<Cookies, String> {
    let mut guest = Cookies::default();
    call(http, server, &mut guest, "join_instant_chat", &[("id", id), ("name", name)]).await?;
    Ok(guest)
}

/// Signs up `username` (password "bench password"); returns the session cookies.
pub async fn sign_up(http: &Client, server: SocketAddr, username: &str) -> Result<Cookies, String> {
    let mut user = Cookies::default();
    let form = [("username", username), ("password", "bench password"), ("next", "")];
    call(http, server, &mut user, "sign_up", &form).await?;
    Ok(user)
}

/// Creates a room holding up to 1,000 members, owned by `owner`; returns its id.
pub async fn create_room(http: &Client, server: SocketAddr, owner: &mut Cookies, name: &str) -> Result<i64, String> {
    let response = call(http, server, owner, "create_room", &[("name", name)]).await?;
    let id = location(&response)?.trim_start_matches("/rooms/").parse::<i64>().map_err(|e| e.to_string())?;
    let limit = roomlink::limits::ROOM_MEMBER_LIMIT_RANGE.end().to_string();
    let room = id.to_string();
    let form = [("room_id", room.as_str()), ("description", ""), ("member_limit", limit.as_str()), ("members_can_invite", "false")];
    call(http, server, owner, "update_room_settings", &form).await?;
    Ok(id)
}

/// Makes an invite link to `room_id` with no use limit; returns its token.
pub async fn create_invite(http: &Client, server: SocketAddr, owner: &mut Cookies, room_id: i64) -> Result<String, String> {
    let room = room_id.to_string();
    let response = call(http, server, owner, "create_invite", &[("room_id", room.as_str()), ("max_uses", "0")]).await?;
    let link: InviteLink = response.json().await.map_err(|e| e.to_string())?;
    link.url.rsplit('/').next().map(str::to_owned).ok_or_else(|| "an invite link without a token".into())
}

/// Accepts invite `token` as `who` (joins the room).
pub async fn accept_invite(http: &Client, server: SocketAddr, who: &mut Cookies, token: &str) -> Result<(), String> {
    call(http, server, who, "accept_invite", &[("token", token)]).await.map(|_| ())
}
